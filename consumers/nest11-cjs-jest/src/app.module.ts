// @qonto-oauth/nestjs's quick start, pasted, with the README's emulator settings from the environment.
import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import { sandboxEndpointsAt } from '@qonto-oauth/core';
import {
  QontoAuthGuard,
  QontoModule,
  type QontoProfile,
  QontoUser,
  type TokenSet,
} from '@qonto-oauth/nestjs';

@Controller('auth/qonto')
class QontoAuthController {
  @Get() // redirects the browser to Qonto
  @UseGuards(QontoAuthGuard)
  login() {}

  @Get('callback') // Qonto redirects back here
  @UseGuards(QontoAuthGuard)
  callback(@QontoUser() profile: QontoProfile, @QontoUser('tokens') tokens: TokenSet) {
    // Keep `tokens` (plain data) with the user, e.g. in your session store; never send them to the browser.
    return {
      member: profile.name,
      organization: profile.organization?.legalName,
      expiresAt: tokens.expiresAt,
    };
  }
}

@Module({
  imports: [
    QontoModule.forRoot({
      environment: sandboxEndpointsAt(process.env.QONTO_SANDBOX_URL!),
      clientId: process.env.QONTO_CLIENT_ID!,
      clientSecret: process.env.QONTO_CLIENT_SECRET!,
      stagingToken: process.env.QONTO_STAGING_TOKEN, // sandbox only
      redirectUri: `${process.env.APP_URL}/auth/qonto/callback`,
    }),
  ],
  controllers: [QontoAuthController],
})
export class AppModule {}
