/** Reported in OpenAPI and `attune --version`. Keep in step with package.json. */
export const attuneVersion = '0.1.0';
