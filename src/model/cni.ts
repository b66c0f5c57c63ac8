import * as z from './zod.js';

const CniPlugin = z.looseObject({ type: z.string() });

/** /etc/cni/net.d/10-flannel.conflist */
export const CniConflist = z.looseObject({
  name: z.string(),
  cniVersion: z.optional(z.string()),
  plugins: z.array(CniPlugin),
});
export type CniConflist = z.infer<typeof CniConflist>;
