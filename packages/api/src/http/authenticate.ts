import type { RequestHandler, Response } from 'express';
import { bearerToken, type TokenRole, type TokenVerifier } from '../auth/tokens.ts';

/** What a route answers when the token is missing or does not grant access. */
export type RejectUnauthenticated = (res: Response) => void;

/**
 * Lets a request through when its bearer token belongs to one of `roles` and records the role in
 * `res.locals.role`; otherwise answers 401 through `reject` before any body is read.
 *
 * @example
 * router.post('/v1/events', authenticate(verifier, ['ingest'], rejectRest('a valid ingest key is required')), ...)
 */
export function authenticate(verifier: TokenVerifier, roles: readonly TokenRole[], reject: RejectUnauthenticated): RequestHandler {
  return (req, res, next) => {
    const role = verifier.roleOf(bearerToken(req.headers.authorization));
    if (role === null || !roles.includes(role)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="telemetry"');
      reject(res);
      return;
    }
    res.locals.role = role;
    next();
  };
}
