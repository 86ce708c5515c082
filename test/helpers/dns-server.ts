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
  /**
   * Asked for an NS query whose domain is not in `ns`, at the time of the query (e.g. "the domain
   * is delegated to whatever zone exists for it now"); undefined or empty: no answer.
   */
  lookup?: (domain: string) => Promise<string[] | undefined>;
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

/** The question's name, and whether it asks for NS records. */
function parseQuestion(query: Buffer): { name: string; end: number; isNs: boolean } {
  const { name, end } = readName(query, 12);
  return { name, end, isNs: query.readUInt16BE(end) === 2 };
}

function answer(query: Buffer, servers: string[]): Buffer {
  const { end } = parseQuestion(query);
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
  const server: DnsServer = {
    address: '',
    ns: new Map<string, string[]>(),
    asked: [],
    close: () => new Promise((done) => socket.close(() => done())),
  };
  const serversFor = async (name: string): Promise<string[]> =>
    server.ns.get(name) ?? (await server.lookup?.(name)) ?? [];
  socket.on('message', (msg, from) => {
    const { name, isNs } = parseQuestion(msg);
    server.asked.push(name);
    void (isNs ? serversFor(name) : Promise.resolve([]))
      .catch(() => [])
      .then((servers) => socket.send(answer(msg, servers), from.port, from.address));
  });
  return new Promise((resolve) => {
    socket.bind(0, '127.0.0.1', () => {
      server.address = `127.0.0.1:${socket.address().port}`;
      resolve(server);
    });
  });
}
