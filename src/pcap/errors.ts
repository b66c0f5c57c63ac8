import { FlanctlError } from '../errors.js';

/** The input is not a capture, or a record in it is corrupt beyond decoding: one line, exit 2. */
export class CaptureError extends FlanctlError {
  constructor(message: string) {
    super(message, 2);
  }
}
