import {
  ConsentPolicyView,
  ConsentStateView,
  ConsentUpdate,
  Problem,
  ProfileConsentView,
  ProfileParams,
  type ConsentChangeView,
  type ConsentPurposeView,
} from '@attune/contracts';
import { formatIsoTimestamp, type ConsentChange, type ResolvedPurpose } from '@attune/engine';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../../http/problem.js';
import type { WithoutAnalytics } from './consent-gate.step.js';
import { ConsentInputError, ConsentLookupError, type ConsentService } from './consent.service.js';

export interface ConsentRouteDeps {
  consent: ConsentService;
  withoutAnalytics: WithoutAnalytics;
}

export async function consentRoutes(
  app: FastifyInstance,
  { consent, withoutAnalytics }: ConsentRouteDeps,
): Promise<void> {
  const common = { tags: ['consent'], security: [{ bearer: [] }] };

  app.post(
    '/v1/consent',
    {
      config: { permission: 'consent:write', audit: 'consent.update' },
      schema: {
        ...common,
        summary: 'Record consent choices for a userId and/or anonymousId; returns the state',
        body: ConsentUpdate,
        response: { 200: ConsentStateView, '4xx': Problem },
      },
    },
    async (request) => {
      const body = request.body as ConsentUpdate;
      const pseudonyms = consent.pseudonymsOf(body);
      guard(() => consent.update(body));
      return stateView(consent, pseudonyms, body.country?.toUpperCase() ?? null);
    },
  );

  app.get(
    '/v1/profiles/:id/consent',
    {
      config: { permission: 'consent:read', audit: 'profile.consent' },
      schema: {
        ...common,
        summary: "A profile's consent per purpose (explicit or default) and its history",
        params: ProfileParams,
        response: { 200: ProfileConsentView, '4xx': Problem },
      },
    },
    async (request) => {
      const { id } = request.params as Static<typeof ProfileParams>;
      const pseudonyms = guard(() => consent.pseudonymsOfRef(id));
      return {
        ...stateView(consent, pseudonyms, null),
        history: consent.historyOfPseudonyms(pseudonyms).map(changeView),
      };
    },
  );

  app.get(
    '/v1/consent/policy',
    {
      config: { permission: 'consent:read' },
      schema: {
        ...common,
        summary: 'The consent policy in force: purposes, defaults, regions, GPC and TCF mapping',
        response: { 200: ConsentPolicyView, '4xx': Problem },
      },
    },
    async () => ({ ...consent.policy, withoutAnalytics }),
  );
}

function stateView(
  consent: ConsentService,
  pseudonyms: readonly string[],
  country: string | null,
): ConsentStateView {
  const state = consent.stateOf(pseudonyms, country);
  const purposes: Record<string, ConsentPurposeView> = {};
  for (const [purpose, resolved] of state.purposes) purposes[purpose] = purposeView(resolved);
  return { purposes, country: state.country };
}

function purposeView(resolved: ResolvedPurpose): ConsentPurposeView {
  return {
    granted: resolved.granted,
    source: resolved.source,
    at: resolved.at === null ? null : formatIsoTimestamp(resolved.at),
    default: resolved.isDefault,
  };
}

function changeView(change: ConsentChange): ConsentChangeView {
  return {
    at: formatIsoTimestamp(change.at),
    source: change.source,
    purposes: change.purposes,
    country: change.country,
  };
}

function guard<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof ConsentInputError)
      throw new ProblemError(error.code, error.message, error.field);
    if (error instanceof ConsentLookupError) throw new ProblemError(error.code, error.message);
    throw error;
  }
}
