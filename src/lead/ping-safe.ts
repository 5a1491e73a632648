// The PII-free subset of a lead that buyers see in a ping.
import type { FieldDef } from "../rules/schemas";
import { PII_NAMES, PII_TYPES } from "../rules/schemas";
import type { LeadData } from "./fields";

/** Personal data: by type or name always; text unless an admin marked it `pii: false`; otherwise as marked. */
export const isPersonal = (f: FieldDef): boolean => PII_TYPES.has(f.type) || PII_NAMES.has(f.name) || (f.pii ?? f.type === "text");

/** The campaign's fields a ping may carry. */
export const pingSafeFields = (fields: FieldDef[]): FieldDef[] => fields.filter((f) => f.ping && !isPersonal(f));

/** Text fields marked `ping` without `pii: false`: treated as personal, so not pinged (rules:check says so). */
export const unconfirmedTextPingFields = (fields: FieldDef[]): string[] =>
  fields.filter((f) => f.ping && f.type === "text" && f.pii === undefined && !PII_NAMES.has(f.name)).map((f) => f.name);

/**
 * Only fields the campaign marks ping-safe, and never personal data even if a rule says otherwise
 * (rules:check reports such a rule; this is the second line of defence). A date of birth is
 * never pinged, but the age derived from it is.
 */
export function pingSafeLead(fields: FieldDef[], lead: LeadData): LeadData {
  const out: LeadData = {};
  for (const f of pingSafeFields(fields)) {
    const v = lead[f.name];
    if (v !== undefined) out[f.name] = v;
  }
  if (fields.some((f) => f.type === "dob") && lead.age !== undefined) out.age = lead.age;
  return out;
}

/** Name parts that suggest personal data (a name, contact, address, identity or account). */
const PERSONAL_PARTS: ReadonlySet<string> = new Set([
  "name",
  "fname",
  "lname",
  "firstname",
  "lastname",
  "surname",
  "middlename",
  "nickname",
  "mobile",
  "cell",
  "cellphone",
  "phone",
  "tel",
  "telephone",
  "fax",
  "email",
  "mail",
  "address",
  "addr",
  "address1",
  "address2",
  "line1",
  "line2",
  "street",
  "apt",
  "unit",
  "ssn",
  "sin",
  "social",
  "dob",
  "birth",
  "birthday",
  "birthdate",
  "ip",
  "license",
  "licence",
  "passport",
  "account",
  "iban",
  "routing",
  "card",
  "vin",
  "plate",
]);

/**
 * Ping-safe fields whose names look personal (`fname`, `mobile`, `address_line1`…): allowed, since the
 * campaign said so explicitly, but `rules:check` asks an admin to look again.
 */
export function personalLookingPingFields(fields: FieldDef[]): string[] {
  return fields
    .filter((f) => f.ping && f.pii !== true && !PII_TYPES.has(f.type) && !PII_NAMES.has(f.name))
    .filter((f) => f.name.split("_").some((part) => PERSONAL_PARTS.has(part) || PERSONAL_PARTS.has(part.replace(/\d+$/, ""))))
    .map((f) => f.name);
}
