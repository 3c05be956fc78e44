// The egress policy: address classification, allow-rule parsing and decisions (pure, no network).
import { describe, expect, it } from 'vitest';
import {
  AllowRuleError, EgressPolicy, classifyAddress, decide, formatIP, parseAllowRule, parseIP, parseIPv6,
} from '../runtime/host/egress/policy.ts';

describe('classifyAddress', () => {
  const denied: [string, string][] = [
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this-network'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.255', 'shared'],
    ['169.254.1.1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['192.0.0.192', 'metadata'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.99', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['192.88.99.1', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['[::ffff:7f00:1]', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:0:a00:1', 'private'], // SIIT IPv4-translated
    ['::127.0.0.1', 'loopback'], // IPv4-compatible
    ['::8.8.8.8', 'reserved'], // IPv4-compatible, public inside: still never routed
    ['64:ff9b::7f00:1', 'loopback'], // NAT64 → 127.0.0.1
    ['64:ff9b::10.1.2.3', 'private'],
    ['64:ff9b::a9fe:a9fe', 'metadata'], // NAT64 → 169.254.169.254
    ['64:ff9b:1::c0a8:101', 'private'], // local-use NAT64 /96 layout → 192.168.1.1
    ['64:ff9b:1:c0a8:1:100::', 'private'], // local-use NAT64 /48 layout → 192.168.1.1
    ['64:ff9b:1:808:8:800::', 'reserved'], // local-use NAT64 /48 layout of a public address: cannot be checked
    ['2002:7f00:1::', 'loopback'], // 6to4 of 127.0.0.1
    ['2002:a9fe:a9fe::1', 'metadata'], // 6to4 of 169.254.169.254
    ['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'private'], // Teredo client 10.0.0.1 (inverted)
    ['2001:0:a00:1::f7f7:f7f7', 'private'], // Teredo server 10.0.0.1 (client 8.8.8.8)
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fd00:ec2::254', 'metadata'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001:2::1', 'benchmarking'],
    ['100::1', 'reserved'],
    ['4000::1', 'reserved'], // outside 2000::/3
    ['not-an-ip', 'reserved'],
    ['1.2.3', 'reserved'],
    ['010.0.0.1', 'reserved'],
  ];
  it.each(denied)('%s is %s', (addr, category) => {
    expect(classifyAddress(addr)?.category).toBe(category);
  });

  const publicAddresses = [
    '8.8.8.8', '1.1.1.1', '93.184.216.34', '172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1',
    '169.253.255.255', '192.167.1.1', '198.17.255.255', '223.255.255.255', '2606:4700:4700::1111',
    '2001:4860:4860::8888', '[2a00:1450:4001:82a::200e]', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1',
    '2001:0:4136:e378:8000:63bf:f7f7:f7f7', // Teredo client 8.8.8.8, server 65.54.227.120
  ];
  it.each(publicAddresses)('%s is public', (addr) => {
    expect(classifyAddress(addr)).toBeNull();
  });

  it('describes embedded addresses', () => {
    const c = classifyAddress('::ffff:127.0.0.1')!;
    expect(c.embedded).toBe('127.0.0.1');
    expect(c.description).toMatch(/loopback address \(in IPv4-mapped 127\.0\.0\.1\)/);
  });
});

describe('IP parsing', () => {
  it('parses and formats IPv6 forms', () => {
    expect(formatIP(parseIP('0:0:0:0:0:0:0:1')!)).toBe('::1');
    expect(formatIP(parseIP('[2001:DB8:0:0:1:0:0:1]')!)).toBe('2001:db8::1:0:0:1');
    expect(formatIP(parseIP('::ffff:127.0.0.1')!)).toBe('::ffff:7f00:1');
    expect(formatIP(parseIP('1:2:3:4:5:6:7:8')!)).toBe('1:2:3:4:5:6:7:8');
    expect(parseIPv6('1::2::3')).toBeNull();
    expect(parseIPv6('1:2:3:4:5:6:7:8:9')).toBeNull();
    expect(parseIPv6('12345::')).toBeNull();
    expect(parseIPv6(':::')).toBeNull();
    expect(parseIPv6('::1.2.3.4:5')).toBeNull();
    expect(parseIP('256.1.1.1')).toBeNull();
    expect(parseIP('[1.2.3.4]')).toBeNull();
  });
});

describe('parseAllowRule', () => {
  it('parses names, ports, addresses, brackets and ranges', () => {
    expect(parseAllowRule('API.Example.com.')).toMatchObject({ kind: 'name', name: 'api.example.com', port: null });
    expect(parseAllowRule('api.example.com:8443')).toMatchObject({ kind: 'name', name: 'api.example.com', port: 8443 });
    expect(parseAllowRule('*.svc.internal:80')).toMatchObject({ kind: 'suffix', suffix: 'svc.internal', port: 80 });
    expect(parseAllowRule('localhost:8787')).toMatchObject({ kind: 'name', name: 'localhost', port: 8787 });
    expect(parseAllowRule('10.0.0.5')).toMatchObject({ kind: 'address', family: 4, port: null });
    expect(parseAllowRule('10.0.0.5:5432')).toMatchObject({ kind: 'address', family: 4, port: 5432 });
    expect(parseAllowRule('[::1]')).toMatchObject({ kind: 'address', family: 6, port: null });
    expect(parseAllowRule('[::1]:8080')).toMatchObject({ kind: 'address', family: 6, port: 8080 });
    expect(parseAllowRule('::1')).toMatchObject({ kind: 'address', family: 6, port: null });
    expect(parseAllowRule('10.1.0.0/16')).toMatchObject({ kind: 'address', range: { bits: 16 } });
    expect(parseAllowRule('[fd00::]/8:443')).toMatchObject({ kind: 'address', range: { bits: 8 }, port: 443 });
  });

  it.each([
    '', 'host:', 'host:0', 'host:65536', 'host:80:81', 'ho st', '-bad.example', 'a..b', '1.2.3.256', '1.2.3',
    '[::1', '[::1]x', '[1.2.3.4]', '::1:80:zz', '10.0.0.0/33', '[fe80::1%eth0]', 'http://example.com', '*.',
  ])('rejects %j', (rule) => {
    expect(() => parseAllowRule(rule)).toThrow(AllowRuleError);
  });
});

describe('EgressPolicy.decide', () => {
  it('allows public addresses and denies if ANY address is special', () => {
    expect(decide({ host: 'example.com', port: 443, addresses: ['93.184.216.34'] })).toMatchObject({ allow: true });
    const d = decide({ host: 'example.com', port: 443, addresses: ['93.184.216.34', '10.0.0.7'] });
    expect(d).toMatchObject({ allow: false, address: '10.0.0.7', category: 'private' });
    expect(d.reason).toBe('10.0.0.7 is a private address (example.com resolved to it)');
  });

  it('judges literals by themselves, bracketed or not', () => {
    expect(decide({ host: '[::1]', port: 80, addresses: [] })).toMatchObject({ allow: false, category: 'loopback' });
    expect(decide({ host: '[::ffff:127.0.0.1]', port: 80, addresses: [] })).toMatchObject({ allow: false, category: 'loopback' });
    expect(decide({ host: '169.254.169.254', port: 80, addresses: [] })).toMatchObject({ allow: false, category: 'metadata' });
    expect(decide({ host: '8.8.8.8', port: 53, addresses: [] })).toMatchObject({ allow: true });
  });

  it('denies localhost names before any lookup and names that did not resolve', () => {
    const policy = new EgressPolicy();
    expect(policy.preflight('localhost', 80)).toMatchObject({ allow: false, category: 'local-name' });
    expect(policy.preflight('api.localhost', 80)).toMatchObject({ allow: false, category: 'local-name' });
    expect(policy.preflight('example.com', 80)).toBeUndefined();
    expect(policy.decide({ host: 'example.com', port: 80, addresses: [] })).toMatchObject({ allow: false });
  });

  it('name rules allow the name (on the port) whatever it resolves to', () => {
    const policy = new EgressPolicy(['db.internal:5432', '*.svc.internal', 'localhost:8787']);
    expect(policy.preflight('db.internal', 5432)).toMatchObject({ allow: true, rule: 'db.internal:5432' });
    expect(policy.preflight('db.internal', 5433)).toBeUndefined();
    expect(policy.decide({ host: 'db.internal', port: 5433, addresses: ['10.0.0.2'] })).toMatchObject({ allow: false });
    expect(policy.decide({ host: 'a.svc.internal', port: 1, addresses: ['10.0.0.3'] })).toMatchObject({ allow: true });
    expect(policy.decide({ host: 'svc.internal', port: 1, addresses: ['10.0.0.3'] })).toMatchObject({ allow: false });
    expect(policy.preflight('localhost', 8787)).toMatchObject({ allow: true });
    expect(policy.preflight('localhost', 8788)).toMatchObject({ allow: false });
  });

  it('address rules allow the address (and its IPv4-mapped form) however it was reached', () => {
    const policy = new EgressPolicy(['127.0.0.1:9000', '10.1.0.0/16', '[fd00::5]']);
    expect(policy.decide({ host: '127.0.0.1', port: 9000, addresses: [] })).toMatchObject({ allow: true });
    expect(policy.decide({ host: '127.0.0.1', port: 9001, addresses: [] })).toMatchObject({ allow: false });
    expect(policy.decide({ host: '[::ffff:127.0.0.1]', port: 9000, addresses: [] })).toMatchObject({ allow: true });
    expect(policy.decide({ host: 'svc.test', port: 9000, addresses: ['127.0.0.1'] })).toMatchObject({ allow: true });
    expect(policy.decide({ host: 'svc.test', port: 9000, addresses: ['127.0.0.1', '127.0.0.2'] })).toMatchObject({
      allow: false, address: '127.0.0.2',
    });
    expect(policy.decide({ host: 'x.test', port: 1, addresses: ['10.1.200.3'] })).toMatchObject({ allow: true });
    expect(policy.decide({ host: 'x.test', port: 1, addresses: ['10.2.0.1'] })).toMatchObject({ allow: false });
    expect(policy.decide({ host: '[fd00::5]', port: 1, addresses: [] })).toMatchObject({ allow: true });
    expect(policy.decide({ host: '[fd00::6]', port: 1, addresses: [] })).toMatchObject({ allow: false });
  });

  it('rejects invalid ports', () => {
    expect(decide({ host: '8.8.8.8', port: 0, addresses: [] })).toMatchObject({ allow: false });
  });
});
