// What rules:check says about a template's mapping entries beyond their schema: an entry that reads a
// field the campaign does not have sends nothing, and a ping entry that reads a field pings never carry
// (a personal one, through any transform) sends nothing either. Warnings: the contract keeps working.
import { pingSafeFields } from "../../lead/ping-safe";
import { sourcesOf } from "../mapping";
import type { Campaign, RuleProblem } from "../model";
import type { Protocol } from "../schemas";

export function templateWarnings(contractId: string, protocol: Protocol, campaign: Campaign): RuleProblem[] {
  if (protocol.kind !== "template") return [];
  const fields = new Set([...campaign.fields.map((f) => f.name), "age"]);
  const pingable = new Set(pingSafeFields(campaign.fields).map((f) => f.name));
  if (campaign.fields.some((f) => f.type === "dob")) pingable.add("age");
  const out: RuleProblem[] = [];
  const warn = (message: string) => out.push({ table: "contracts", id: contractId, column: "protocol", message });
  for (const [part, template] of [
    ["ping", protocol.ping],
    ["post", protocol.post],
  ] as const) {
    for (const [key, entry] of Object.entries(template?.mapping ?? {}))
      for (const source of sourcesOf(entry)) {
        if (source.startsWith("$")) continue;
        if (!fields.has(source))
          warn(`${part} mapping "${key}" reads "${source}", which campaign ${campaign.slug} does not have: it sends nothing`);
        else if (part === "ping" && !pingable.has(source))
          warn(`ping mapping "${key}" reads "${source}", which is not ping-safe: pings never carry it, so it sends nothing`);
      }
  }
  return out;
}
