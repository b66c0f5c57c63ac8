// pcap-parser 0.2.1 ships no types; src/pcap/reader/pcap-parser.ts describes the parser it returns.
declare module 'pcap-parser' {
  const pcapParser: { parse(stream: unknown): unknown };
  export default pcapParser;
}
