import type { IncomingHttpHeaders } from 'node:http';
import {
  type CanActivate,
  Controller,
  createParamDecorator,
  Delete,
  type ExecutionContext,
  Get,
  Inject,
  Injectable,
  Param,
  Query,
  Redirect,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import {
  QONTO_CONNECTIONS,
  type QontoConnection,
  type QontoConnections,
  toHttpException,
} from '@qonto-oauth/nestjs';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONNECT_CALLBACK_PATH, type HttpAdapterName, startTestApp, type TestApp } from './helpers/app.js';
import { get } from './helpers/http.js';

type AppRequest = { headers: IncomingHttpHeaders; appUser?: string };

/** The app's own login, whatever it is (a session, a JWT): here a cookie naming the user. */
@Injectable()
class AppUserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AppRequest>();
    const user = /(?:^|;\s*)app_user=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
    if (!user) throw new UnauthorizedException('Sign in first.');
    request.appUser = user;
    return true;
  }
}

const AppUser = createParamDecorator(
  (_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<AppRequest>().appUser,
);

/** The README's settings routes: connect, callback, list, one API call, disconnect. */
@Controller()
@UseGuards(AppUserGuard)
class ConnectionsController {
  constructor(@Inject(QONTO_CONNECTIONS) private readonly connections: QontoConnections) {}

  @Get('connect/qonto')
  @Redirect()
  async connect(@AppUser() user: string, @Query('organization_id') organizationId?: string) {
    const { url } = await this.connections.start(user, organizationId ? { organizationId } : {});
    return { url, statusCode: 302 };
  }

  @Get('connect/qonto/callback')
  async callback(@AppUser() user: string, @Query() query: Record<string, string>) {
    try {
      return await this.connections.complete(user, query);
    } catch (error) {
      throw toHttpException(error);
    }
  }

  @Get('connections')
  list(@AppUser() user: string) {
    return this.connections.list(user);
  }

  @Get('connections/:organizationId/organization')
  async organization(@AppUser() user: string, @Param('organizationId') organizationId: string) {
    try {
      return await this.connections.api(user, organizationId).getOrganization();
    } catch (error) {
      throw toHttpException(error);
    }
  }

  @Delete('connections/:organizationId')
  async disconnect(@AppUser() user: string, @Param('organizationId') organizationId: string) {
    const { revoked } = await this.connections.disconnect(user, organizationId);
    return { revoked };
  }
}

let sandbox: QontoSandbox;
let app: TestApp | undefined;
beforeAll(async () => {
  sandbox = await startQontoSandbox();
});
afterEach(async () => {
  await app?.close();
  app = undefined;
});
afterAll(() => sandbox.close());

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies are read field by field and checked by the assertions.
async function json(response: Response): Promise<any> {
  return response.json();
}

describe.each<HttpAdapterName>(['express', 'fastify'])(
  "QontoModule's connections on Nest's %s adapter, for the app's own users",
  (adapter) => {
    const boot = async () => {
      app = await startTestApp(sandbox, {}, adapter, { controllers: [ConnectionsController], connect: true });
      return app;
    };
    const owner = () => sandbox.users[0]!;

    /** The browser of app user `user`: connect route, Qonto's pages, back to the callback. */
    async function connect(test: TestApp, user: string, organizationId: string): Promise<string> {
      const start = await get(
        `${test.origin}/connect/qonto?organization_id=${organizationId}`,
        `app_user=${user}`,
      );
      expect(start.status).toBe(302);
      const authorize = new URL(start.headers.get('location') ?? '');
      expect(authorize.searchParams.get('organization_id')).toBe(organizationId);
      expect(authorize.searchParams.get('redirect_uri')).toBe(`${test.origin}${CONNECT_CALLBACK_PATH}`);
      return completeAuthorization(authorize.href, owner());
    }

    it('connects two organizations to an app user, lists them, calls the API for each, disconnects one', async () => {
      const test = await boot();
      const [first, second] = owner().organizations;
      const cookie = 'app_user=alice';

      for (const organization of [first!, second!]) {
        const response = await get(await connect(test, 'alice', organization.id), cookie);
        expect(response.status).toBe(200);
        const connection = (await json(response)) as QontoConnection;
        expect(connection).toMatchObject({
          userKey: 'alice',
          organizationId: organization.id,
          organization: { id: organization.id, legalName: organization.legalName },
          membership: { email: owner().email },
          status: 'active',
          health: 'active',
        });
        // Rendered straight into a page: these fields and no token.
        expect(Object.keys(connection).sort()).toEqual([
          'connectedAt',
          'health',
          'membership',
          'organization',
          'organizationId',
          'reconnectBy',
          'refreshTokenExpiresAt',
          'status',
          'updatedAt',
          'userKey',
        ]);
      }
      const listed = (await json(await get(`${test.origin}/connections`, cookie))) as QontoConnection[];
      expect(listed.map((c) => c.organizationId)).toEqual([first!.id, second!.id]);
      for (const organization of [first!, second!]) {
        const response = await get(`${test.origin}/connections/${organization.id}/organization`, cookie);
        expect((await json(response)).id).toBe(organization.id);
      }

      const disconnected = await fetch(`${test.origin}/connections/${first!.id}`, {
        method: 'DELETE',
        headers: { cookie },
      });
      expect(await json(disconnected)).toEqual({ revoked: true });
      const left = (await json(await get(`${test.origin}/connections`, cookie))) as QontoConnection[];
      expect(left.map((c) => c.organizationId)).toEqual([second!.id]);
      // Another app user sees none of alice's.
      expect(await json(await get(`${test.origin}/connections`, 'app_user=bob'))).toEqual([]);
    });

    it('refuses a callback opened by another app user (403 invalid_state), connecting nobody', async () => {
      const test = await boot();
      const callback = await connect(test, 'alice', owner().organizations[0]!.id);
      const response = await get(callback, 'app_user=mallory');
      expect(response.status).toBe(403);
      expect(await json(response)).toMatchObject({ code: 'oauth', oauthError: 'invalid_state' });
      expect(await json(await get(`${test.origin}/connections`, 'app_user=mallory'))).toEqual([]);
      expect(await json(await get(`${test.origin}/connections`, 'app_user=alice'))).toEqual([]);
    });
  },
);
