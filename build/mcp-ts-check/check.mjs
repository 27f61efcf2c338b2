// The official TypeScript MCP SDK against Engramia: list tools, learn, recall, over one transport.
// Usage: node check.mjs http <url> <api-key> | node check.mjs stdio <Engramia.Api.dll> <data-path>
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [mode, target, extra] = process.argv.slice(2);
const transport = mode === "http"
  ? new StreamableHTTPClientTransport(new URL(target), { requestInit: { headers: { Authorization: `Bearer ${extra}` } } })
  : new StdioClientTransport({ command: "dotnet", args: [target, "mcp"], env: { ...process.env, ENGRAMIA_DATA_PATH: extra }, stderr: "ignore" });

const client = new Client({ name: "engramia-ts-check", version: "1.0.0" });
await client.connect(transport);
const fail = (message) => { console.error(`${mode}: FAILED: ${message}`); process.exit(1); };

const { tools } = await client.listTools();
const names = tools.map((t) => t.name).sort();
if (names.length !== 11 || !names.includes("engramia_learn") || !names.includes("engramia_recall")) fail(`tools ${names}`);

const task = `Parse a CSV file and compute column statistics (${mode})`;
const learn = await client.callTool({ name: "engramia_learn", arguments: { task, code: "import csv", eval_score: 8 } });
if (learn.isError || learn.structuredContent?.stored !== true) fail(`learn ${JSON.stringify(learn)}`);

const recall = await client.callTool({ name: "engramia_recall", arguments: { task: "compute statistics of a CSV file", limit: 3 } });
const match = recall.structuredContent?.matches?.[0];
if (recall.isError || match?.pattern?.code !== "import csv") fail(`recall ${JSON.stringify(recall)}`);

const bad = await client.callTool({ name: "engramia_learn", arguments: { task, code: "x", eval_score: 11 } });
if (!bad.isError || bad.structuredContent?.error_code !== "VALIDATION_ERROR") fail(`validation ${JSON.stringify(bad)}`);

console.log(`${mode}: ${names.length} tools; learned and recalled ${match.pattern_key}; out-of-range score → ${bad.structuredContent.error_code}`);
await client.close();
