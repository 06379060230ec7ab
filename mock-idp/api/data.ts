/**
 * The seeded data set behind the mock lexoffice API: one organisation (the profile), its contacts and
 * its invoices, in the shapes lexoffice's public API documents. Same seed, same data: faker is seeded
 * and its reference date fixed, so nothing depends on the wall clock.
 */
import type { Faker } from '@faker-js/faker';
import { seededFaker } from '../values/faker.js';

/** Contact roles: lexoffice numbers customers from 10000 and vendors from 70000. */
export interface ContactRoles {
  customer?: { number: number };
  vendor?: { number: number };
}

export interface ContactAddress {
  supplement?: string;
  street: string;
  zip: string;
  city: string;
  countryCode: string;
}

export interface ContactPerson {
  salutation: string;
  firstName: string;
  lastName: string;
  primary: boolean;
  emailAddress: string;
  phoneNumber: string;
}

/** A contact as `GET /v1/contacts/{id}` returns it: either `company` or `person` is set. */
export interface Contact {
  id: string;
  organizationId: string;
  version: number;
  roles: ContactRoles;
  company?: {
    name: string;
    taxNumber?: string;
    vatRegistrationId?: string;
    allowTaxFreeInvoices: boolean;
    contactPersons: ContactPerson[];
  };
  person?: { salutation: string; firstName: string; lastName: string };
  addresses: { billing: ContactAddress[]; shipping: ContactAddress[] };
  emailAddresses: { business?: string[]; office?: string[]; private?: string[]; other?: string[] };
  phoneNumbers: { business?: string[]; mobile?: string[]; private?: string[]; fax?: string[] };
  note?: string;
  archived: boolean;
}

export interface InvoiceLineItem {
  id: string;
  type: 'custom' | 'material' | 'service';
  name: string;
  description?: string;
  quantity: number;
  unitName: string;
  unitPrice: { currency: 'EUR'; netAmount: number; grossAmount: number; taxRatePercentage: number };
  discountPercentage: number;
  lineItemAmount: number;
}

export type VoucherStatus = 'draft' | 'open' | 'paid' | 'paidoff' | 'voided';

/** An invoice as `GET /v1/invoices/{id}` returns it. */
export interface Invoice {
  id: string;
  organizationId: string;
  createdDate: string;
  updatedDate: string;
  version: number;
  language: 'de';
  archived: boolean;
  voucherStatus: VoucherStatus;
  voucherNumber?: string;
  voucherDate: string;
  dueDate: string | null;
  address: {
    contactId: string;
    name: string;
    street: string;
    city: string;
    zip: string;
    countryCode: string;
  };
  lineItems: InvoiceLineItem[];
  totalPrice: {
    currency: 'EUR';
    totalNetAmount: number;
    totalGrossAmount: number;
    totalTaxAmount: number;
    totalDiscountAbsolute: number | null;
    totalDiscountPercentage: number | null;
  };
  taxAmounts: { taxRatePercentage: number; taxAmount: number; netAmount: number }[];
  taxConditions: { taxType: 'net' | 'gross'; taxTypeNote: string | null };
  paymentConditions: {
    paymentTermLabel: string;
    paymentTermDuration: number;
  };
  shippingConditions: { shippingDate: string; shippingType: 'delivery' | 'service' | 'none' };
  closingInvoice: boolean;
  claimedGrossAmount: number;
  downPaymentDeductions: unknown[];
  recurringTemplateId: string | null;
  relatedVouchers: unknown[];
  title: string;
  introduction: string;
  remark: string;
  files: { documentFileId: string };
}

/** `GET /v1/profile`: the organisation the token's user belongs to. */
export interface Profile {
  organizationId: string;
  companyName: string;
  created: { userId: string; userName: string; userEmail: string; date: string };
  connectionId: string;
  features: string[];
  businessFeatures: string[];
  subscriptionStatus: 'active';
  taxType: 'net' | 'gross' | 'vatfree';
  smallBusiness: boolean;
}

export interface LexofficeDataSet {
  profile: Profile;
  /** Sorted by name, as `GET /v1/contacts` sorts by default. */
  contacts: Contact[];
  invoices: Invoice[];
}

/** Fixed reference date so relative faker dates do not follow the wall clock. */
const REF_DATE = new Date('2026-01-15T09:00:00.000Z');
export const CONTACT_COUNT = 60;
export const INVOICE_COUNT = 24;

/**
 * The offset of German time at `date`, as `+01:00` or `+02:00`. Since 1996 Germany follows the EU rule
 * (Directive 2000/84/EC, articles 2 and 3): summer time from 01:00 UTC on the last Sunday of March to
 * 01:00 UTC on the last Sunday of October. Computed here rather than read from `Intl.DateTimeFormat`:
 * the first date formatter of a process loads ICU's date data, 26 ms of every audit's provider, which
 * otherwise never needs it. Earlier dates, which the data set does not hold, are asked of `Intl`.
 */
function berlinOffset(date: Date): string {
  const year = date.getUTCFullYear();
  if (year < 1996) return intlBerlinOffset(date);
  const lastSunday = (month: number): number => {
    const last = new Date(Date.UTC(year, month + 1, 0, 1));
    return last.getTime() - last.getUTCDay() * 86_400_000;
  };
  const t = date.getTime();
  return t >= lastSunday(2) && t < lastSunday(9) ? '+02:00' : '+01:00';
}

let intlFormat: Intl.DateTimeFormat | undefined;

/** The offset of German time at `date` as `Intl` gives it (`GMT+1` is written `+01:00`). */
export function intlBerlinOffset(date: Date): string {
  intlFormat ??= new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', timeZoneName: 'longOffset' });
  const name = intlFormat.formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT+01:00';
  return name === 'GMT' ? '+00:00' : name.slice(3);
}

/** lexoffice writes dates as `2023-04-24T08:20:22.528+02:00` (local German time with offset). */
export function lexofficeDate(date: Date): string {
  const offset = berlinOffset(date);
  const sign = offset.startsWith('-') ? -1 : 1;
  const [h, m] = offset.slice(1).split(':').map(Number);
  const local = new Date(date.getTime() + sign * (h * 60 + (m ?? 0)) * 60_000);
  return local.toISOString().replace('Z', offset);
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

function address(f: Faker): ContactAddress {
  return {
    street: `${f.location.street()} ${f.location.buildingNumber()}`,
    zip: f.location.zipCode('#####'),
    city: f.location.city(),
    countryCode: 'DE',
  };
}

function salutationFor(sex: string): string {
  return sex === 'female' ? 'Frau' : 'Herr';
}

function contact(f: Faker, organizationId: string, index: number): Contact {
  const isCompany = f.datatype.boolean({ probability: 0.6 });
  const roleKind = f.helpers.arrayElement(['customer', 'customer', 'vendor', 'both'] as const);
  const roles: ContactRoles = {};
  if (roleKind !== 'vendor') roles.customer = { number: 10000 + index };
  if (roleKind !== 'customer') roles.vendor = { number: 70000 + index };
  const billing = [address(f)];
  const shipping = f.datatype.boolean() ? [address(f)] : [];
  const base: Omit<Contact, 'company' | 'person'> = {
    id: f.string.uuid(),
    organizationId,
    version: f.number.int({ min: 0, max: 5 }),
    roles,
    addresses: { billing, shipping },
    emailAddresses: {},
    phoneNumbers: { business: [f.phone.number()] },
    archived: f.datatype.boolean({ probability: 0.1 }),
  };
  if (isCompany) {
    const name = f.company.name();
    const sex = f.person.sexType();
    const firstName = f.person.firstName(sex);
    const lastName = f.person.lastName();
    const domain = `${f.internet.domainWord()}.de`;
    return {
      ...base,
      company: {
        name,
        taxNumber: f.string.numeric(5) + '/' + f.string.numeric(5),
        vatRegistrationId: 'DE' + f.string.numeric(9),
        allowTaxFreeInvoices: f.datatype.boolean({ probability: 0.1 }),
        contactPersons: [
          {
            salutation: salutationFor(sex),
            firstName,
            lastName,
            primary: true,
            emailAddress: f.internet.email({ firstName, lastName, provider: domain }).toLowerCase(),
            phoneNumber: f.phone.number(),
          },
        ],
      },
      emailAddresses: { business: [`info@${domain}`] },
      note: f.datatype.boolean({ probability: 0.3 }) ? f.lorem.sentence() : undefined,
    };
  }
  const sex = f.person.sexType();
  const firstName = f.person.firstName(sex);
  const lastName = f.person.lastName();
  return {
    ...base,
    person: { salutation: salutationFor(sex), firstName, lastName },
    emailAddresses: { private: [f.internet.email({ firstName, lastName }).toLowerCase()] },
  };
}

/** Display name lexoffice sorts and filters contacts by. */
export function contactName(c: Contact): string {
  if (c.company) return c.company.name;
  return c.person ? `${c.person.firstName} ${c.person.lastName}` : '';
}

function invoice(f: Faker, organizationId: string, contacts: Contact[], index: number): Invoice {
  const customer = f.helpers.arrayElement(contacts.filter((c) => c.roles.customer));
  const billing = customer.addresses.billing[0];
  const created = f.date.past({ years: 1 });
  const status = f.helpers.weightedArrayElement<VoucherStatus>([
    { weight: 2, value: 'draft' },
    { weight: 4, value: 'open' },
    { weight: 5, value: 'paid' },
    { weight: 1, value: 'paidoff' },
    { weight: 1, value: 'voided' },
  ]);
  const lineItems: InvoiceLineItem[] = Array.from({ length: f.number.int({ min: 1, max: 4 }) }, () => {
    const type = f.helpers.arrayElement(['custom', 'material', 'service'] as const);
    const taxRatePercentage = f.helpers.arrayElement([19, 19, 7]);
    const netAmount = Number(f.commerce.price({ min: 5, max: 900 }));
    const quantity = f.number.int({ min: 1, max: 10 });
    return {
      id: f.string.uuid(),
      type,
      name: f.commerce.productName(),
      description: f.datatype.boolean() ? f.commerce.productDescription() : undefined,
      quantity,
      unitName: type === 'service' ? 'Stunde' : 'Stück',
      unitPrice: {
        currency: 'EUR',
        netAmount,
        grossAmount: round2(netAmount * (1 + taxRatePercentage / 100)),
        taxRatePercentage,
      },
      discountPercentage: 0,
      lineItemAmount: round2(netAmount * quantity),
    };
  });
  const byRate = new Map<number, number>();
  for (const li of lineItems) {
    const rate = li.unitPrice.taxRatePercentage;
    byRate.set(rate, round2((byRate.get(rate) ?? 0) + li.lineItemAmount));
  }
  const taxAmounts = [...byRate.entries()]
    .sort(([a], [b]) => b - a)
    .map(([taxRatePercentage, netAmount]) => ({
      taxRatePercentage,
      netAmount,
      taxAmount: round2((netAmount * taxRatePercentage) / 100),
    }));
  const totalNetAmount = round2(taxAmounts.reduce((s, t) => s + t.netAmount, 0));
  const totalTaxAmount = round2(taxAmounts.reduce((s, t) => s + t.taxAmount, 0));
  const totalGrossAmount = round2(totalNetAmount + totalTaxAmount);
  const voucherDate = new Date(created.getTime());
  voucherDate.setUTCHours(0, 0, 0, 0);
  const dueDate = new Date(voucherDate.getTime() + 30 * 86_400_000);
  return {
    id: f.string.uuid(),
    organizationId,
    createdDate: lexofficeDate(created),
    updatedDate: lexofficeDate(f.date.between({ from: created, to: REF_DATE })),
    version: f.number.int({ min: 0, max: 4 }),
    language: 'de',
    archived: false,
    voucherStatus: status,
    voucherNumber: status === 'draft' ? undefined : `RE${1000 + index}`,
    voucherDate: lexofficeDate(voucherDate),
    dueDate: status === 'draft' ? null : lexofficeDate(dueDate),
    address: {
      contactId: customer.id,
      name: contactName(customer),
      street: billing.street,
      city: billing.city,
      zip: billing.zip,
      countryCode: billing.countryCode,
    },
    lineItems,
    totalPrice: {
      currency: 'EUR',
      totalNetAmount,
      totalGrossAmount,
      totalTaxAmount,
      totalDiscountAbsolute: null,
      totalDiscountPercentage: null,
    },
    taxAmounts,
    taxConditions: { taxType: 'net', taxTypeNote: null },
    paymentConditions: { paymentTermLabel: 'Zahlbar innerhalb von 30 Tagen netto', paymentTermDuration: 30 },
    shippingConditions: { shippingDate: lexofficeDate(voucherDate), shippingType: 'delivery' },
    closingInvoice: false,
    claimedGrossAmount: totalGrossAmount,
    downPaymentDeductions: [],
    recurringTemplateId: null,
    relatedVouchers: [],
    title: 'Rechnung',
    introduction: 'Unsere Lieferungen/Leistungen stellen wir Ihnen wie folgt in Rechnung.',
    remark: 'Vielen Dank für die gute Zusammenarbeit.',
    files: { documentFileId: f.string.uuid() },
  };
}

function generate(seed: number): LexofficeDataSet {
  const f = seededFaker(seed);
  f.setDefaultRefDate(REF_DATE);
  const organizationId = f.string.uuid();
  const sex = f.person.sexType();
  const firstName = f.person.firstName(sex);
  const lastName = f.person.lastName();
  const companyName = f.company.name();
  const smallBusiness = f.datatype.boolean({ probability: 0.2 });
  const profile: Profile = {
    organizationId,
    companyName,
    created: {
      userId: f.string.uuid(),
      userName: `${salutationFor(sex)} ${firstName} ${lastName}`,
      userEmail: f.internet.email({ firstName, lastName, provider: 'example.de' }).toLowerCase(),
      date: lexofficeDate(f.date.past({ years: 3 })),
    },
    connectionId: f.string.uuid(),
    features: ['cashbox'],
    businessFeatures: ['INVOICING', 'BOOKKEEPING'],
    subscriptionStatus: 'active',
    taxType: smallBusiness ? 'vatfree' : 'net',
    smallBusiness,
  };
  // Contacts and invoices are drawn from the same generator after the profile, when first asked for:
  // most logins only read the profile, and the rest of the data set costs ten times as much to draw.
  let rest: Pick<LexofficeDataSet, 'contacts' | 'invoices'> | undefined;
  const drawRest = (): Pick<LexofficeDataSet, 'contacts' | 'invoices'> => {
    if (!rest) {
      const contacts = Array.from({ length: CONTACT_COUNT }, (_, i) => contact(f, organizationId, i + 1));
      const invoices = Array.from({ length: INVOICE_COUNT }, (_, i) => invoice(f, organizationId, contacts, i + 1));
      contacts.sort((a, b) => contactName(a).localeCompare(contactName(b), 'de', { sensitivity: 'base' }));
      rest = { contacts, invoices };
    }
    return rest;
  };
  return {
    profile,
    get contacts() {
      return drawRest().contacts;
    },
    get invoices() {
      return drawRest().invoices;
    },
  };
}

const cache = new Map<number, LexofficeDataSet>();

/** The data set for `seed`, generated once per process (it never changes: the mock API is read-only). */
export function lexofficeData(seed: number): LexofficeDataSet {
  let data = cache.get(seed);
  if (!data) {
    data = generate(seed);
    cache.set(seed, data);
  }
  return data;
}
