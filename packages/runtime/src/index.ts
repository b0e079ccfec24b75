export { createLogger, nopLogger, parseLogLevel, parseLogFormat } from './logger';
export type { Logger, LogLevel, LogFormat, LogFields, LoggerOptions } from './logger';
export { createHttpServer, listen } from './http';
export type { HttpServerOptions, ProbeState } from './http';
export { runUntilSignal } from './lifecycle';
export type { Stoppable } from './lifecycle';
export { parseListenAddress } from './address';
export { parseBytes, parseDuration } from './units';
export { mapLimit } from './map-limit';
