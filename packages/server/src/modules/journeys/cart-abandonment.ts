import type { JourneyInput } from '@attune/contracts';

/**
 * The ready-made cart-abandonment journey: a `Product Added` enters; if no `Order Completed`
 * follows within the wait, an email lists the cart; a purchase within `goalDays` of entering
 * counts as a conversion. At most one reminder a day per person, none at night, never without
 * marketing consent, and a person enters again at most once a week.
 */
export function cartAbandonmentJourney(
  options: { waitMinutes?: number; goalDays?: number } = {},
): JourneyInput {
  return {
    id: 'cart-abandonment',
    name: 'Cart abandonment',
    description: 'Reminds people who added to the cart and did not buy.',
    entry: { event: 'Product Added' },
    start: 'wait-for-order',
    steps: {
      'wait-for-order': {
        type: 'wait_for',
        event: 'Order Completed',
        timeout: { amount: options.waitMinutes ?? 60, unit: 'minutes' },
        onEvent: 'bought',
        onTimeout: 'reminder',
      },
      reminder: {
        type: 'action',
        action: {
          type: 'email',
          purpose: 'marketing_email',
          subject: '{{ traits.firstName | default: "Hi" }}, your cart is waiting',
          html: [
            '<p>{{ traits.firstName | default: "Hello" }}, you left this in your cart:</p>',
            '<ul>{% for p in event.properties.products %}<li>{{ p.name }} × {{ p.quantity | default: 1 }} — {{ p.price }}</li>{% else %}<li>{{ event.properties.name }} — {{ event.properties.price }}</li>{% endfor %}</ul>',
            '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
          ].join('\n'),
          text: [
            'You left this in your cart:',
            '{% for p in event.properties.products %}- {{ p.name }} x {{ p.quantity | default: 1 }}: {{ p.price }}\n{% else %}- {{ event.properties.name }}: {{ event.properties.price }}\n{% endfor %}',
            'Unsubscribe: {{ unsubscribe_url }}',
          ].join('\n'),
        },
        next: 'done',
      },
      bought: { type: 'exit' },
      done: { type: 'exit' },
    },
    goal: { event: 'Order Completed', within: { amount: options.goalDays ?? 3, unit: 'days' } },
    reentry: { policy: 'after', days: 7 },
    caps: [{ channel: 'email', max: 1, per: { amount: 1, unit: 'days' } }],
    quietHours: { from: '21:00', to: '08:00' },
  };
}
