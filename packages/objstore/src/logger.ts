type LogFn = (msg: string, fields?: Record<string, unknown>) => void;

/** The small logging surface this package needs; any structured logger can be adapted to it. */
export interface ObjstoreLogger {
  debug?: LogFn;
  info?: LogFn;
  warn?: LogFn;
}

export const nopLogger: ObjstoreLogger = {};
