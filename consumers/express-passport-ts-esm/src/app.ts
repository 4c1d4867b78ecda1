// @qonto-oauth/passport's quick start in TypeScript ESM ("ESM works the same"), with the README's emulator
// settings from the environment; the 5-argument verify keeps a storable TokenSet, as the README describes.
import { fromTokenResponse, sandboxEndpointsAt, type TokenSet } from '@qonto-oauth/core';
import { QontoStrategy, type QontoVerifyFunctionWithParams } from '@qonto-oauth/passport';
import express from 'express';
import session from 'express-session';
import passport from 'passport';

interface User {
  id: string;
  name: string;
  organization: string | undefined;
  tokens: TokenSet;
}

const port = Number(process.env.PORT ?? 3001);

const verify: QontoVerifyFunctionWithParams = (_accessToken, _refreshToken, params, profile, done) => {
  const user: User = {
    id: profile.id,
    name: profile.displayName,
    organization: profile.organization?.legalName,
    tokens: fromTokenResponse(params),
  };
  done(null, user);
};

passport.use(
  new QontoStrategy(
    {
      clientID: process.env.QONTO_CLIENT_ID!,
      clientSecret: process.env.QONTO_CLIENT_SECRET!,
      callbackURL: `http://localhost:${port}/auth/qonto/callback`,
      environment: sandboxEndpointsAt(process.env.QONTO_SANDBOX_URL!),
      stagingToken: process.env.QONTO_STAGING_TOKEN,
    },
    verify,
  ),
);
passport.serializeUser((user, done) => done(null, user));
passport.deserializeUser((user: User, done) => done(null, user));

const app = express();
app.use(session({ secret: 'change me', resave: false, saveUninitialized: false }));
app.use(passport.session());
app.get('/', (req, res) => {
  const user = req.user as User | undefined;
  if (user) {
    const expires = new Date(user.tokens.expiresAt).toISOString();
    res.send(`Hello ${user.name}, connected to ${user.organization} (access token until ${expires})`);
    return;
  }
  const declined = 'declined' in req.query ? '<p>You declined the connection on Qonto.</p>' : '';
  res.send(`${declined}<a href="/auth/qonto">Connect with Qonto</a>`);
});
app.get('/auth/qonto', passport.authenticate('qonto'));
app.get(
  '/auth/qonto/callback',
  passport.authenticate('qonto', { failureRedirect: '/?declined', failureMessage: true }),
  (_req, res) => res.redirect('/'),
);
app.listen(port, '127.0.0.1');
