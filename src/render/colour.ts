// Verdict colours (only when the view asks: a terminal with NO_COLOR unset). ansis writes the ANSI codes.
import ansis from 'ansis';

/** A hop verdict: ok green, unverified (NOT VERIFIED) yellow, anything else (problem codes, BROKEN) red. */
export const verdictColour = (text: string): string => (text === 'ok' || text === 'OK' ? ansis.green(text) : /^(unverified|not verified)/i.test(text) ? ansis.yellow(text) : ansis.red(text));

/** A finding's severity. */
export const severityColour = (text: string): string => (text === 'error' ? ansis.red(text) : text === 'warning' ? ansis.yellow(text) : text);
