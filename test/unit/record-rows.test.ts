// The editor's rows for lists of objects (a campaign's scrub connectors, verification hooks and aged
// tiers, an experiment's variants with their nested settings): read from a form into the rules API's JSON, numbers typed, blank rows and cells left
// out, a bad number named at its cell; a stored list the rows can't carry is shown as JSON instead;
// rows a form does not carry at all (a script's partial form) leave their columns as they are.
import { describe, expect, it } from "vitest";
import { readForm } from "../../src/console/editor-input";
import { fitsRows } from "../../src/console/record-cells";
import { fieldOf } from "../../src/rules/fields";
import { AgedTiersSchema, PreSaleHooksSchema, VariantsSchema } from "../../src/rules/schemas";
import { ScrubsSchema } from "../../src/rules/scrubs";

const columnsOf = (column: string, table: "campaigns" | "experiments" = "campaigns") => fieldOf(table, column)!.columns!;

describe("a campaign's lists as rows", () => {
  it("reads scrub, hook and aged tier rows into what the schemas take", async () => {
    const { body, errors } = await readForm(
      "campaigns",
      {
        "scrubs.0.vendor": "tcpa_litigator",
        "scrubs.0.name": "",
        "scrubs.0.types": "tcpa, dnc",
        "scrubs.0.cost_cents": "1",
        "scrubs.0.on_fail": "",
        "scrubs.1.vendor": "validator",
        "scrubs.1.check": "email",
        "scrubs.1.cache_s": "86,400",
        "scrubs.2.vendor": "",
        "scrubs.2.name": "",
        "verify_hooks.0.name": "dnc",
        "verify_hooks.0.url": "https://hooks.example/dnc",
        "verify_hooks.0.on_timeout": "reject",
        "aged_tiers.0.days": "1",
        "aged_tiers.0.floor_cents": "500",
        "aged_tiers.1.days": "7",
        "aged_tiers.1.floor_cents": "200",
        "aged_tiers.2.days": "",
      },
      new Map(),
    );
    expect(errors).toEqual([]);
    expect(body.scrubs).toEqual([
      { vendor: "tcpa_litigator", types: ["tcpa", "dnc"], cost_cents: 1 },
      { vendor: "validator", check: "email", cache_s: 86400 },
    ]);
    expect(body.verify_hooks).toEqual([{ name: "dnc", url: "https://hooks.example/dnc", on_timeout: "reject" }]);
    expect(body.aged_tiers).toEqual([
      { days: 1, floor_cents: 500 },
      { days: 7, floor_cents: 200 },
    ]);
    expect(ScrubsSchema.safeParse(body.scrubs).success).toBe(true);
    expect(PreSaleHooksSchema.safeParse(body.verify_hooks).success).toBe(true);
    expect(AgedTiersSchema.safeParse(body.aged_tiers).success).toBe(true);
  });

  it("a number that is not one is named at its cell and kept as typed; columns the form does not carry are left alone", async () => {
    const { body, errors } = await readForm("campaigns", { "aged_tiers.0.days": "a week", "aged_tiers.0.floor_cents": "200" }, new Map());
    expect(errors).toEqual([{ path: "aged_tiers.0.days", message: "days old: a whole number" }]);
    expect(body.aged_tiers).toEqual([{ days: "a week", floor_cents: 200 }]);
    expect(body).not.toHaveProperty("scrubs");
    // Rows a form does not carry at all (a script, an older page) leave their columns as they are.
    const partial = await readForm("contracts", { name: "Renamed" }, new Map());
    expect(Object.keys(partial.body).filter((k) => ["filters", "schedule", "price_rules", "protocol"].includes(k))).toEqual([]);
    const campaign = await readForm("campaigns", { name: "Renamed" }, new Map());
    expect(Object.keys(campaign.body).filter((k) => ["fields", "scrubs", "verify_hooks", "aged_tiers"].includes(k))).toEqual([]);
    // The JSON textarea (a value rows can't carry) still posts the column itself.
    const json = await readForm("campaigns", { scrubs: '[{"vendor":"dncscrub"}]' }, new Map());
    expect(json.body.scrubs).toEqual([{ vendor: "dncscrub" }]);
  });

  it("an experiment's variants: their settings one level down, yes/no as booleans", async () => {
    const { body, errors } = await readForm(
      "experiments",
      {
        "variants.0.name": "control",
        "variants.0.share": "50",
        "variants.0.settings.mode": "",
        "variants.1.name": "no_alpha",
        "variants.1.share": "50",
        "variants.1.settings.floor_cents": "1,200",
        "variants.1.settings.quality_weighting": "no",
        "variants.1.settings.contracts": "ct_bravo, ct_charlie",
        "variants.2.name": "",
      },
      new Map(),
    );
    expect(errors).toEqual([]);
    expect(body.variants).toEqual([
      { name: "control", share: 50 },
      { name: "no_alpha", share: 50, settings: { floor_cents: 1200, quality_weighting: false, contracts: ["ct_bravo", "ct_charlie"] } },
    ]);
    expect(VariantsSchema.safeParse(body.variants).success).toBe(true);
    const variants = columnsOf("variants", "experiments");
    expect(fitsRows(body.variants, variants)).toBe(true);
    expect(fitsRows([{ name: "a", share: 1, settings: {} }], variants)).toBe(true);
    expect(fitsRows([{ name: "a", share: 1, settings: { quality_weighting: "yes" } }], variants)).toBe(false);
    expect(fitsRows([{ name: "a", share: 1, settings: { deep: { er: 1 } } }], variants)).toBe(false);
  });

  it("rows carry lists of flat objects of the columns' kinds, and nothing else", () => {
    const scrubs = columnsOf("scrubs");
    expect(fitsRows(null, scrubs)).toBe(true);
    expect(fitsRows([{ vendor: "tcpa_litigator", types: ["all"], cost_cents: 2 }], scrubs)).toBe(true);
    expect(fitsRows([{ vendor: "tcpa_litigator", secret: "x" }], scrubs)).toBe(false); // a key with no cell
    expect(fitsRows([{ vendor: "nope" }], scrubs)).toBe(false); // not one of the choices
    expect(fitsRows([{ vendor: "dncscrub", cost_cents: 1.5 }], scrubs)).toBe(false);
    expect(fitsRows([{ vendor: "tcpa_litigator", types: ["a,b"] }], scrubs)).toBe(false);
    expect(fitsRows({ vendor: "dncscrub" }, scrubs)).toBe(false);
    expect(fitsRows([{ days: "7", floor_cents: 100 }], columnsOf("aged_tiers"))).toBe(false);
    expect(fitsRows([{ days: "a week", floor_cents: 100 }], columnsOf("aged_tiers"))).toBe(true); // a refused form, shown again
    // What a save through the rows would change: an empty list (an arm with no contracts would run
    // them all), padded or empty text, a line break (a browser drops it from an input).
    const variants = columnsOf("variants", "experiments");
    expect(fitsRows([{ name: "holdout", share: 1, settings: { contracts: [] } }], variants)).toBe(false);
    expect(fitsRows([{ name: "holdout", share: 1, settings: { contracts: [" ct_a"] } }], variants)).toBe(false);
    expect(fitsRows([{ name: "", share: 1 }], variants)).toBe(false);
    expect(fitsRows([{ name: "a\nb", share: 1 }], variants)).toBe(false);
    expect(fitsRows([{}], variants)).toBe(false);
  });
});
