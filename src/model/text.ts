// Text that came from another machine (hostname.txt, a snapshot's host, cluster.json names) reaches the
// terminal: control characters are shown escaped (\x1b), never sent raw (issue 16 item 16). Pure.

// C0 controls, DEL and C1 controls (0x9b is a one-byte CSI on some terminals)
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export const printable = (text: string): string => text.replace(CONTROL, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
