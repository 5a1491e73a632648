// Mock buyers as their own process (so the load generator's timing is not disturbed by them).
// Usage: tsx bench/mock-buyers-cli.ts <port>
import { MockBuyers } from "../demo/mock-buyers";

const port = Number(process.argv[2] ?? 8791);
const buyers = new MockBuyers();
await buyers.listen(port);
process.stdout.write(`ready ${port}\n`);
process.on("SIGTERM", () => void buyers.close().then(() => process.exit(0)));
process.on("SIGINT", () => void buyers.close().then(() => process.exit(0)));
