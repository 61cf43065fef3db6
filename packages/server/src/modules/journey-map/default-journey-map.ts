import type { JourneyMapStages } from '@attune/contracts';

/**
 * The built-in map for an online shop (Segment e-commerce event names): the `ecommerce`
 * template of PUT /v1/journey-map/definition.
 */
export const defaultJourneyMap: { stages: JourneyMapStages } = {
  stages: [
    {
      name: 'awareness',
      description: 'Every profile Attune has seen',
      // Every profile has event counts (possibly none): this always holds.
      condition: { type: 'computed', path: 'eventCounts', op: 'exists' },
    },
    {
      name: 'consideration',
      description: 'Viewed 3 products within 7 days, or added one to the cart',
      condition: {
        type: 'or',
        conditions: [
          {
            type: 'event',
            event: 'Product Viewed',
            count: { op: 'at_least', value: 3 },
            window: { last: { amount: 7, unit: 'days' } },
          },
          { type: 'event', event: 'Product Added' },
        ],
      },
    },
    {
      name: 'purchase',
      description: 'Completed an order',
      condition: { type: 'event', event: 'Order Completed' },
    },
    {
      name: 'retention',
      description: 'Completed at least 2 orders',
      condition: { type: 'event', event: 'Order Completed', count: { op: 'at_least', value: 2 } },
    },
    {
      name: 'advocacy',
      description: 'A customer who reviewed or shared a product',
      condition: {
        type: 'and',
        conditions: [
          { type: 'event', event: 'Order Completed' },
          {
            type: 'or',
            conditions: [
              { type: 'event', event: 'Product Reviewed' },
              { type: 'event', event: 'Product Shared' },
            ],
          },
        ],
      },
    },
  ],
};
