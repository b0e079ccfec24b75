export declare const repoRoot: string;
export declare const REQUIRE_BANNER: string;
export declare function bundle(options: {
  entry: string;
  outfile: string;
  sourceRoot?: string;
  sourcemap?: boolean;
  banner?: string;
}): Promise<string>;
