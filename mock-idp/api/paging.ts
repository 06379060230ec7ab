/**
 * lexoffice pages lists the way Spring Data does: `page` (0-based) and `size` query parameters, and a
 * body `{content, first, last, totalPages, totalElements, numberOfElements, size, number, sort}`.
 * Spring's resolver is lenient: an unparseable or out-of-range value falls back to the default, and a
 * size above the maximum is clamped, so the mock does the same.
 */

export const DEFAULT_PAGE_SIZE = 25;
/** lexoffice documents 250 as the largest page size of the contacts endpoint. */
export const MAX_PAGE_SIZE = 250;

export interface SortOrder {
  property: string;
  direction: 'ASC' | 'DESC';
  ignoreCase: boolean;
  nullHandling: 'NATIVE';
  ascending: boolean;
}

export interface Page<T> {
  content: T[];
  first: boolean;
  last: boolean;
  totalPages: number;
  totalElements: number;
  numberOfElements: number;
  size: number;
  number: number;
  sort: SortOrder[];
}

function intParam(value: string | null): number | undefined {
  if (value === null || !/^\d{1,9}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** Reads `page` and `size` with Spring's leniency. */
export function pageRequest(params: URLSearchParams): { page: number; size: number } {
  const size = intParam(params.get('size'));
  const page = intParam(params.get('page'));
  return {
    page: page ?? 0,
    size: size === undefined || size < 1 ? DEFAULT_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE),
  };
}

/** Slices `items` into page `page` of `size`. */
export function toPage<T>(items: T[], page: number, size: number, sort: SortOrder[]): Page<T> {
  const totalElements = items.length;
  const totalPages = Math.ceil(totalElements / size);
  const content = items.slice(page * size, page * size + size);
  return {
    content,
    first: page === 0,
    last: page >= totalPages - 1,
    totalPages,
    totalElements,
    numberOfElements: content.length,
    size,
    number: page,
    sort,
  };
}

/** Contacts are sorted by name, ascending, ignoring case. */
export const SORT_BY_NAME: SortOrder[] = [
  { property: 'name', direction: 'ASC', ignoreCase: true, nullHandling: 'NATIVE', ascending: true },
];
