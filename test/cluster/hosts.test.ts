import { describe, expect, it } from 'vitest';
import { parseHostsFile } from '../../src/cluster/hosts.js';
import { sshArgv } from '../../src/cluster/ssh.js';
import { UsageError } from '../../src/errors.js';

describe('parseHostsFile', () => {
  it('reads [user@]host[:port] lines, comments and blanks', () => {
    const text = '# cluster\n192.168.56.11\nroot@192.168.56.12:2222\n\nadmin@node3.example.com  # the third\n[fe80::1]:22\n';
    expect(parseHostsFile(text)).toEqual([
      { name: '192.168.56.11', host: '192.168.56.11' },
      { name: '192.168.56.12', host: '192.168.56.12', user: 'root', port: 2222 },
      { name: 'node3.example.com', host: 'node3.example.com', user: 'admin' },
      { name: 'fe80::1', host: 'fe80::1', port: 22 },
    ]);
  });

  it('reads an ansible INI inventory (the seed 004 setup), skipping :vars sections', () => {
    const text = [
      '[k8s]',
      'k8snode028 ansible_host=10.27.9.28 ansible_user=root',
      'k8snode029 ansible_host=10.27.9.29 ansible_port=2201 ansible_user="ops"',
      '[k8s:vars]',
      'ansible_python_interpreter=/usr/bin/python3',
    ].join('\n');
    expect(parseHostsFile(text)).toEqual([
      { name: 'k8snode028', host: '10.27.9.28', user: 'root' },
      { name: 'k8snode029', host: '10.27.9.29', user: 'ops', port: 2201 },
    ]);
  });

  it.each([
    ['-oProxyCommand=touch', 'not a host'],
    ['-oProxyCommand=touch /tmp/x', 'not a usable node name'],
    ['root@host;rm', 'not a host'],
    ['a b c', 'expected key=value'],
    ['$(id)@host', 'not a user'],
    ['host:99999', 'not a port'],
    ['node1 ansible_host=--evil', 'not a host'],
    ['# nothing', 'lists no hosts'],
    ['h1\nh1', 'listed twice'],
  ])('rejects %j with one clear usage error', (text, message) => {
    expect(() => parseHostsFile(text)).toThrow(UsageError);
    expect(() => parseHostsFile(text)).toThrow(message);
  });
});

describe('sshArgv', () => {
  it('puts host after --, BatchMode always, user config untouched unless asked', () => {
    expect(sshArgv({ name: 'n', host: '10.0.0.1', user: 'root', port: 2222 }, {}, ['sh', '-s'])).toEqual([
      'ssh', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-p', '2222', '-l', 'root', '--', '10.0.0.1', 'sh', '-s',
    ]);
    expect(sshArgv({ name: 'n', host: 'h' }, { configFile: '/dev/null', identity: '/k', options: ['StrictHostKeyChecking=no'], connectTimeout: 2 }, [])).toEqual([
      'ssh', '-F', '/dev/null', '-i', '/k', '-o', 'StrictHostKeyChecking=no', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=2', '--', 'h',
    ]);
  });

  it('rejects an -o option that is not Key=Value, or one that runs local commands', () => {
    expect(() => sshArgv({ name: 'n', host: 'h' }, { options: ['StrictHostKeyChecking no'] }, [])).toThrow('not an ssh option');
    expect(() => sshArgv({ name: 'n', host: 'h' }, { options: ['ProxyCommand=/tmp/x'] }, [])).toThrow('ssh option ProxyCommand is not accepted here');
    expect(() => sshArgv({ name: 'n', host: 'h' }, { options: ['localcommand=/tmp/x'] }, [])).toThrow(UsageError);
    expect(sshArgv({ name: 'n', host: 'h' }, { options: ['ProxyJump=bastion'] }, [])).toContain('ProxyJump=bastion');
  });
});
