/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports -- stands in for a CommonJS package inside the bundles */
// string-width for the single executable's bundles (scripts/sea.sh aliases `string-width` to this file): cli-table3
// measures every line of every cell with it, several times per line drawn, and string-width runs strip-ansi's and
// emoji-regex's regexes on each call — ≈ 40 µs a call in a fresh process, most of the table's drawing time. A string
// of printable ASCII (U+0020-U+007E) and '…' (U+2026, cli-table3's truncation mark, measured on every draw) holds no
// escape sequence, emoji, control, combining or wide character, so string-width counts one column per character:
// its width is its length. Anything else goes to string-width itself.
'use strict';
const stringWidth = require('../node_modules/string-width/index.js');

// … as an escape: the bundles are stored one byte a character (scripts/sea.sh)
const ONE_COLUMN = /^[\x20-\x7e\u2026]*$/;

const width = (string) => (typeof string === 'string' && ONE_COLUMN.test(string) ? string.length : stringWidth(string));

module.exports = width;
module.exports.default = width;
