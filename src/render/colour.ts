// Verdict colours (only when the view asks: a terminal with NO_COLOR unset). node:util's styleText writes the ANSI
// codes; the view alone decides whether there is colour (validateStream off). Decided at each call, never at load:
// the binary starts from a heap saved at build time (scripts/sea.sh), where stdout was no terminal.
import { styleText } from 'node:util';

const paint = (format: 'green' | 'yellow' | 'red', text: string): string => styleText(format, text, { validateStream: false });

/** A hop verdict: ok green, unverified (NOT VERIFIED) yellow, anything else (problem codes, BROKEN) red. */
export const verdictColour = (text: string): string => (text === 'ok' || text === 'OK' ? paint('green', text) : /^(unverified|not verified)/i.test(text) ? paint('yellow', text) : paint('red', text));

/** A finding's severity. */
export const severityColour = (text: string): string => (text === 'error' ? paint('red', text) : text === 'warning' ? paint('yellow', text) : text);
