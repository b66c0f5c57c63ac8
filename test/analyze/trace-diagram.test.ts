import { describe, expect, it } from 'vitest';
import { trace } from '../../src/analyze/trace.js';
import { renderAscii, renderDot, renderMermaid } from '../../src/render/diagram.js';
import { ipipNode1, k8snode028 } from './trace-seeds.js';

describe('trace path diagram', () => {
  it('draws the vxlan path with the node crossing as =vxlan=>', () => {
    const r = trace([k8snode028()], '10.27.13.5');
    // the post shows flannel.1 without its vxlan settings and no MTU of bond0: those two hops are unverified (?)
    expect(renderAscii(r)).toBe('[k8snode028] -> [flannel.1 ?] -> [bond0] -> [mtu flannel.1 ?] =vxlan=> [node 10.18.19.129]');
    expect(renderDot(r)).toContain('n3 -> n4 [style=bold, label="vxlan"];');
    expect(renderMermaid(r)).toContain('n3 ==vxlan==> n4');
  });

  it('marks the broken hop', () => {
    const r = trace([k8snode028()], '10.27.3.3');
    expect(renderAscii(r)).toBe('[k8snode028] -> [flannel.1 ?] -> [neigh flannel.1 !NEIGH_MISSING] -> [mtu flannel.1 ?]');
    expect(renderDot(r)).toContain('color=red');
    expect(renderMermaid(r)).toContain('style n2 stroke:#c00,color:#c00');
  });

  it('draws a local pod: bridge -> veth -> pod', () => {
    expect(renderAscii(trace([ipipNode1()], '10.244.1.2'))).toBe('[node1.whale.com] -> [cni0] -> [vethb74d434d] -> [pod 10.244.1.2]');
  });
});
