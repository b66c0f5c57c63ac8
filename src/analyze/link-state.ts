// Whether a link is up, and the VXLAN headroom, shared by trace and doctor/repair.
import type { Link } from '../model/link.js';

/** A link is up when its flags say UP (operstate UNKNOWN is normal for vxlan and ipip). */
const isUp = (link: Link): boolean => link.flags.includes('UP') || link.operstate === 'UP';

/** Headroom the kernel leaves under the underlay's MTU for VXLAN over IPv4 (20 + 8 + 8 + 14) and over IPv6 (40 + 8 + 8 +
 * 14): it sets a new vxlan device to underlay − this and refuses a larger MTU (flannel sets none on flannel-v6.<VNI>). */
export const VXLAN_OVERHEAD = { v4: 50, v6: 70 } as const;

/** Down as far as the output shows: saved outputs that lost the flag list say nothing either way. */
export const isKnownDown = (link: Link): boolean => (link.flags.length > 0 || link.operstate !== undefined) && !isUp(link);
