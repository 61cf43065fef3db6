import { describe, expect, it } from 'vitest';
import { mapRows, type CsvMapping } from './csv-mapping.js';
import { parseDateWithFormat } from './date-format.js';

const retail: CsvMapping = {
  userId: 'CustomerID',
  timestamp: { column: 'InvoiceDate', format: 'dd/MM/yyyy HH:mm' },
  traits: { country: 'Country' },
  order: {
    idColumn: 'InvoiceNo',
    quantityColumn: 'Quantity',
    priceColumn: 'UnitPrice',
    product: { product_id: 'StockCode', name: 'Description' },
    refundWhen: { column: 'InvoiceNo', startsWith: 'C' },
  },
};

const row = (over: Record<string, string> = {}) => ({
  InvoiceNo: '536365',
  StockCode: '85123A',
  Description: 'LANTERN',
  Quantity: '6',
  InvoiceDate: '01/12/2010 08:26',
  UnitPrice: '2.55',
  CustomerID: '17850',
  Country: 'United Kingdom',
  ...over,
});

describe('parseDateWithFormat', () => {
  it('reads day-first dates as UTC', () => {
    expect(parseDateWithFormat('01/12/2010 08:26', 'dd/MM/yyyy HH:mm')).toBe(
      Date.UTC(2010, 11, 1, 8, 26),
    );
    expect(parseDateWithFormat('9/1/2011 8:05', 'dd/MM/yyyy HH:mm')).toBe(
      Date.UTC(2011, 0, 9, 8, 5),
    );
  });
  it.each(['31/02/2010 08:26', '2010-12-01', '01/12/2010 25:00'])('refuses %j', (text) => {
    expect(parseDateWithFormat(text, 'dd/MM/yyyy HH:mm')).toBeNull();
  });
});

describe('mapRows', () => {
  it('turns an invoice into one Order Completed with products and revenue', () => {
    const mapped = mapRows(
      [row(), row({ StockCode: '71053', Quantity: '2', UnitPrice: '3.39' })],
      retail,
    );
    expect(mapped).toEqual({
      ok: true,
      message: {
        type: 'track',
        event: 'Order Completed',
        userId: '17850',
        timestamp: '2010-12-01T08:26:00.000Z',
        context: { traits: { country: 'United Kingdom' } },
        properties: {
          order_id: '536365',
          revenue: 22.08,
          products: [
            { product_id: '85123A', name: 'LANTERN', quantity: 6, price: 2.55 },
            { product_id: '71053', name: 'LANTERN', quantity: 2, price: 3.39 },
          ],
        },
      },
    });
  });

  it('maps cancellations to Order Refunded', () => {
    const mapped = mapRows([row({ InvoiceNo: 'C536379', Quantity: '-1' })], retail);
    expect(mapped).toMatchObject({
      ok: true,
      message: { event: 'Order Refunded', properties: { revenue: -2.55 } },
    });
  });

  it.each([
    [{ CustomerID: '' }, /no user id/],
    [{ InvoiceDate: 'soon' }, /not a date/],
    [{ Quantity: 'six' }, /not numbers/],
  ])('refuses %j with a reason', (over, reason) => {
    const mapped = mapRows([row(over)], retail);
    expect(mapped.ok).toBe(false);
    if (!mapped.ok) expect(mapped.reason).toMatch(reason);
  });

  it('names events from a column', () => {
    const clicks: CsvMapping = {
      userId: 'user',
      event: { column: 'kind', names: { view: 'Product Viewed', cart: 'Product Added' } },
      properties: { price: 'price' },
      numbers: ['price'],
    };
    expect(mapRows([{ user: '5', kind: 'cart', price: '9.5' }], clicks)).toEqual({
      ok: true,
      message: { type: 'track', event: 'Product Added', userId: '5', properties: { price: 9.5 } },
    });
    expect(mapRows([{ user: '5', kind: 'refund', price: '1' }], clicks)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no event name') as unknown,
    });
  });

  it('maps plain rows to identify calls with traits', () => {
    const mapped = mapRows([{ id: '7', mail: 'ANN@x.io', age: '41' }], {
      userId: 'id',
      email: 'mail',
      traits: { age: 'age' },
      numbers: ['age'],
    });
    expect(mapped).toEqual({
      ok: true,
      message: { type: 'identify', userId: '7', traits: { age: 41, email: 'ANN@x.io' } },
    });
  });
});
