/**
 * A DNS server on 127.0.0.1 that the test controls: it answers NS queries for the names it is
 * given (and nothing else: an empty NOERROR answer), over UDP. It stands in for the public DNS the
 * delegation check asks (CFN_STAGES_DNS_SERVER), so "the registrar's NS records were set" is one
 * assignment in a test.
 */
import * as dgram from 'node:dgram';

export interface DnsServer {
  /** `127.0.0.1:PORT`, the value for CFN_STAGES_DNS_SERVER. */
  address: string;
  /** NS answers by domain (lower case, no trailing dot); a domain not here has none. */
  ns: Map<string, string[]>;
  /** Every name asked, in order. */
  asked: string[];
  close(): Promise<void>;
}

function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = offset;
  while (msg[i]! > 0) {
    labels.push(msg.subarray(i + 1, i + 1 + msg[i]!).toString('ascii'));
    i += msg[i]! + 1;
  }
  return { name: labels.join('.').toLowerCase(), end: i + 1 };
}

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.');
  return Buffer.concat([
    ...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'ascii')])),
    Buffer.from([0]),
  ]);
}

function answer(query: Buffer, ns: Map<string, string[]>, asked: string[]): Buffer {
  const { name, end } = readName(query, 12);
  const type = query.readUInt16BE(end);
  asked.push(name);
  const servers = type === 2 ? (ns.get(name) ?? []) : [];
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  header.writeUInt16BE(0x8180, 2); // response, recursion desired and available, NOERROR
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(servers.length, 6);
  const question = query.subarray(12, end + 4);
  const records = servers.map((s) => {
    const data = encodeName(s);
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // the question's name
    rr.writeUInt16BE(2, 2); // NS
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(300, 6);
    rr.writeUInt16BE(data.length, 10);
    return Buffer.concat([rr, data]);
  });
  return Buffer.concat([header, question, ...records]);
}

/** Starts the server on a free UDP port of 127.0.0.1. */
export function startDnsServer(): Promise<DnsServer> {
  const socket = dgram.createSocket('udp4');
  const ns = new Map<string, string[]>();
  const asked: string[] = [];
  socket.on('message', (msg, from) => socket.send(answer(msg, ns, asked), from.port, from.address));
  return new Promise((resolve) => {
    socket.bind(0, '127.0.0.1', () => {
      resolve({
        address: `127.0.0.1:${socket.address().port}`,
        ns,
        asked,
        close: () => new Promise((done) => socket.close(() => done())),
      });
    });
  });
}
