// Whether a link is up, shared by trace and doctor/repair.
import type { Link } from '../model/link.js';

/** A link is up when its flags say UP (operstate UNKNOWN is normal for vxlan and ipip). */
const isUp = (link: Link): boolean => link.flags.includes('UP') || link.operstate === 'UP';

/** Down as far as the output shows: saved outputs that lost the flag list say nothing either way. */
export const isKnownDown = (link: Link): boolean => (link.flags.length > 0 || link.operstate !== undefined) && !isUp(link);
