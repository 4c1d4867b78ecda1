// @qonto-oauth/passport's quick start, pasted, with the README's emulator settings: the emulator's URL and demo
// credentials come from the environment, and the page shows the connected organization.
const express = require('express');
const session = require('express-session');
const passport = require('passport');
const { QontoStrategy } = require('@qonto-oauth/passport');
const { sandboxEndpointsAt } = require('@qonto-oauth/core');

const port = Number(process.env.PORT ?? 3001);

passport.use(
  new QontoStrategy(
    {
      clientID: process.env.QONTO_CLIENT_ID,
      clientSecret: process.env.QONTO_CLIENT_SECRET,
      callbackURL: `http://localhost:${port}/auth/qonto/callback`,
      environment: sandboxEndpointsAt(process.env.QONTO_SANDBOX_URL),
      stagingToken: process.env.QONTO_STAGING_TOKEN,
    },
    (_accessToken, _refreshToken, profile, done) =>
      done(null, {
        id: profile.id,
        name: profile.displayName,
        organization: profile.organization?.legalName,
      }),
  ),
);
passport.serializeUser((user, done) => done(null, user));
passport.deserializeUser((user, done) => done(null, user));

const app = express();
app.use(session({ secret: 'change me', resave: false, saveUninitialized: false }));
app.use(passport.session());
app.get('/', (req, res) => {
  if (req.user) return res.send(`Hello ${req.user.name}, connected to ${req.user.organization}`);
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
