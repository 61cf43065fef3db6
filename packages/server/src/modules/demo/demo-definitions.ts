import type { PlacementInput, SegmentInput } from '@attune/contracts';

/** The demo's own source: its events stay apart from a real site's. */
export const demoSourceId = 'demo';
export const demoPlacementId = 'demo_hero';

const oneDay = { amount: 1, unit: 'days' } as const;

/** Viewed two outdoor products in a day. */
export const demoOutdoorFans: SegmentInput = {
  id: 'demo-outdoor-fans',
  name: 'Demo: outdoor fans',
  description: 'Viewed at least two outdoor products in the last day (the demo shop at /demo)',
  condition: {
    type: 'event',
    event: 'Product Viewed',
    where: [{ property: 'category', op: 'eq', value: 'outdoor' }],
    count: { op: 'at_least', value: 2 },
    window: { last: oneDay },
  },
};

/** Added to cart in the last day and has not ordered since (the demo's cart reminder). */
export const demoCartHolders: SegmentInput = {
  id: 'demo-cart-holders',
  name: 'Demo: items in cart',
  description: 'Added a product to the cart in the last day and ordered nothing in that day',
  condition: {
    type: 'and',
    conditions: [
      { type: 'event', event: 'Product Added', window: { last: oneDay } },
      {
        type: 'not',
        condition: { type: 'event', event: 'Order Completed', window: { last: oneDay } },
      },
    ],
  },
};

export const demoHero: PlacementInput = {
  id: demoPlacementId,
  name: 'Demo shop: home hero',
  description: 'The hero banner of the demo shop at /demo',
  rules: [
    {
      id: 'cart-reminder',
      priority: 10,
      condition: { type: 'segment', segment: demoCartHolders.id as string },
      variant: {
        id: 'cart-reminder',
        payload: { theme: 'cart' },
        template:
          '<h2>Still thinking it over{% if traits.firstName %}, {{ traits.firstName }}{% endif %}?</h2>' +
          '<p>Your cart is saved. Complete your order today and shipping is on us.</p>',
      },
    },
    {
      id: 'outdoor',
      priority: 5,
      condition: { type: 'segment', segment: demoOutdoorFans.id as string },
      variant: {
        id: 'outdoor',
        payload: { theme: 'outdoor' },
        template:
          '<h2>Made for the trail</h2>' +
          '<p>You like the outdoors: our new tents and boots are 15% off this week.</p>',
      },
    },
  ],
  fallback: {
    id: 'welcome',
    payload: { theme: 'welcome' },
    template: '<h2>Welcome to Attune Outfitters</h2><p>Gear for every trail and every kitchen.</p>',
  },
};
