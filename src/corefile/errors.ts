/** A Corefile problem, always located: `file:line - plugin/<name>: message`. */
export type CorefileErrorCode =
  | 'ERR_COREFILE_SYNTAX'
  | 'ERR_COREFILE_UNKNOWN_DIRECTIVE'
  | 'ERR_COREFILE_ARGS'
  | 'ERR_COREFILE_VALUE'
  | 'ERR_COREFILE_IMPORT'
  | 'ERR_COREFILE_DUPLICATE';

export class CorefileError extends Error {
  readonly code: CorefileErrorCode;
  readonly file: string;
  readonly line: number;
  readonly directive: string | undefined;
  constructor(
    code: CorefileErrorCode,
    message: string,
    where: { file: string; line: number; directive?: string | undefined },
  ) {
    const prefix = where.directive === undefined ? '' : `plugin/${where.directive}: `;
    super(`${where.file}:${where.line} - ${prefix}${message}`);
    this.name = 'CorefileError';
    this.code = code;
    this.file = where.file;
    this.line = where.line;
    this.directive = where.directive;
  }
}
