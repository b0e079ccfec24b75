// Reading a Dockerfile and a .dockerignore for static checks, without a Docker engine.

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** Build arguments declared before the first FROM, with their defaults. */
  globalArgs: Map<string, string>;
  stages: Stage[];
}

/** Instructions with continuation lines joined; comments and blank lines dropped. */
function instructions(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of instructions(text)) {
    if (ins.keyword === 'FROM') {
      const [image, as, name] = ins.args.split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword === 'ARG') {
        const [key, value = ''] = ins.args.split('=');
        globalArgs.set(key, value);
      }
    } else stages[stages.length - 1].instructions.push(ins);
  }
  return { globalArgs, stages };
}

/** A stage's base image with `${ARG}` references replaced by the global defaults. */
export function baseImage(file: Dockerfile, stage: Stage): string {
  return stage.image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string, b: string) => file.globalArgs.get(a ?? b) ?? '');
}

/** The stage names used by `COPY --from=...`. */
export function copySources(stage: Stage): string[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY')
    .flatMap((i) => [...i.args.matchAll(/--from=(\S+)/g)].map((m) => m[1]));
}

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` matches any number of leading folders, including none.
      re += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Whether a context path is left out of the build by the .dockerignore rules: a pattern
 * excludes a path when it matches the path or one of its parent folders; later `!`
 * patterns take paths back in, as in Docker.
 */
export function isDockerIgnored(dockerignore: string, path: string): boolean {
  const parts = path.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const raw of dockerignore.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const re = globToRegExp((negated ? line.slice(1) : line).replace(/^\/+|\/+$/g, ''));
    if (candidates.some((c) => re.test(c))) ignored = !negated;
  }
  return ignored;
}
