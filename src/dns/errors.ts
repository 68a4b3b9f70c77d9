/** Stable codes for malformed wire data; tests match on `code`. */
export type WireErrorCode =
  | 'ERR_DNS_TRUNCATED'
  | 'ERR_DNS_BAD_POINTER'
  | 'ERR_DNS_POINTER_LOOP'
  | 'ERR_DNS_LABEL_TOO_LONG'
  | 'ERR_DNS_NAME_TOO_LONG'
  | 'ERR_DNS_BAD_LABEL_TYPE'
  | 'ERR_DNS_TRAILING_DATA'
  | 'ERR_DNS_BAD_OPT'
  | 'ERR_DNS_BAD_NAME';

export class WireFormatError extends Error {
  readonly code: WireErrorCode;
  readonly offset: number;
  constructor(code: WireErrorCode, message: string, offset: number) {
    super(`${message} at byte ${offset}`);
    this.name = 'WireFormatError';
    this.code = code;
    this.offset = offset;
  }
}
