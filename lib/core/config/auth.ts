import { z } from 'zod';

/** An https URL: an OpenID Connect issuer is one (OpenID Connect Discovery 1.0, §2: "a case-sensitive URL using the https scheme"). */
const httpsUrl = z
  .string()
  .url({ message: 'must be a URL such as https://sso.example.com/realms/platform' })
  .refine((u) => u.startsWith('https://'), { message: 'must use https: keys or tokens fetched over plain http can be replaced on the way' });

/**
 * The site's OpenID Connect provider, whose JWTs the platform's edge accepts (Istio
 * `RequestAuthentication` jwtRules: `issuer`, `jwksUri`, `audiences`, CRD security.istio.io v1 of
 * Istio 1.24.6).
 */
export const OidcSchema = z
  .object({
    /** The `iss` claim of the provider's tokens, e.g. `https://sso.example.com/realms/platform`. */
    issuer: httpsUrl,
    /**
     * Where the provider publishes its signing keys (the `jwks_uri` of its discovery document). istiod
     * fetches it and hands the keys to the gateway, so istiod must be able to reach it.
     */
    jwksUri: httpsUrl,
    /** `aud` values accepted: the client IDs tokens are issued to for the platform's APIs. */
    audiences: z.array(z.string().min(1)).min(1, { message: 'must name at least one audience: a token issued to any other client of the provider must not be accepted' }),
  })
  .strict();

/** How the platform's edge authenticates clients. */
export const AuthSchema = z
  .object({
    /** The site's OIDC provider; required where models or the chatbot's API are exposed. @default - none */
    oidc: OidcSchema.optional(),
  })
  .strict();

export type OidcConfig = z.infer<typeof OidcSchema>;
export type AuthConfig = z.infer<typeof AuthSchema>;
