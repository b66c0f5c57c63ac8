import { z } from 'zod';

const CniPlugin = z.object({ type: z.string() }).loose();

/** /etc/cni/net.d/10-flannel.conflist */
export const CniConflist = z
  .object({
    name: z.string(),
    cniVersion: z.string().optional(),
    plugins: z.array(CniPlugin),
  })
  .loose();
export type CniConflist = z.infer<typeof CniConflist>;
