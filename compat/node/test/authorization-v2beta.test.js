// @zitadel/client 1.3.1 ships the Authorization and Project services only as
// v2beta: its generic createClientFor over @zitadel/proto's v2beta service
// descriptors, over Connect (JSON) and gRPC, against a real warden — a
// project, a role, an authorization and a project grant made, listed, changed
// and removed, and a caller without a membership refused.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code, ConnectError } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { NewAuthorizationBearerInterceptor, createClientFor } from '@zitadel/client';
import { createServerTransport } from '@zitadel/client/node';
import { AuthorizationService } from '@zitadel/proto/zitadel/authorization/v2beta/authorization_service_pb.js';
import { State } from '@zitadel/proto/zitadel/authorization/v2beta/authorization_pb.js';
import { ErrorDetailSchema } from '@zitadel/proto/zitadel/message_pb.js';
import { ProjectService } from '@zitadel/proto/zitadel/project/v2beta/project_service_pb.js';
import { ProjectGrantState, ProjectState } from '@zitadel/proto/zitadel/project/v2beta/query_pb.js';
import { servers, unique } from '../lib/servers.js';
import { human, machine, mgmt } from '../lib/zitadel.js';

const transports = {
  'Connect (JSON)': (s, token) => createConnectTransport({
    baseUrl: s.base, httpVersion: '1.1', interceptors: [NewAuthorizationBearerInterceptor(token)],
  }),
  gRPC: (s, token) => createServerTransport(token, { baseUrl: s.base, httpVersion: '2' }),
};

async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ConnectError, `not a ConnectError: ${err}`);
    return err;
  }
  throw new Error('the call succeeded; want a refusal');
}

const errorIDs = (err) => err.findDetails(ErrorDetailSchema).map(({ id }) => id);

for (const s of servers) {
  describe(`@zitadel/client authorization and project v2beta (${s.name})`, () => {
    for (const [name, transport] of Object.entries(transports)) {
      it(`${name}: project, role, authorization, project grant; lists; a caller without membership refused`, async () => {
        const projects = createClientFor(ProjectService)(transport(s, s.pat));
        const authz = createClientFor(AuthorizationService)(transport(s, s.pat));
        const { org } = await mgmt(s).getMyOrg({});
        const projectName = unique('beta-project');

        // @zitadel/proto 1.3.1's CreateProjectRequest has no admins (zitadel-go
        // v3.29.0's has; server.TestAuthorizationAndProjectV2beta sends them).
        const { id: projectId } = await projects.createProject({ organizationId: org.id, name: projectName });
        assert.match(projectId, /^\d{1,18}$/);
        await projects.updateProject({ id: projectId, projectRoleCheck: true });
        const { project } = await projects.getProject({ id: projectId });
        assert.equal(project.name, projectName);
        assert.equal(project.organizationId, org.id);
        assert.equal(project.state, ProjectState.ACTIVE);
        assert.equal(project.authorizationRequired, true);

        await projects.addProjectRole({ projectId, roleKey: 'reader', displayName: 'Reader', group: 'ops' });
        const roles = await projects.listProjectRoles({ projectId });
        assert.deepEqual(roles.projectRoles.map((r) => [r.key, r.displayName, r.group]), [['reader', 'Reader', 'ops']]);
        const listed = await projects.listProjects({
          filters: [
            { filter: { case: 'projectNameFilter', value: { projectName } } },
            { filter: { case: 'projectResourceOwnerFilter', value: { id: org.id } } },
          ],
        });
        assert.deepEqual(listed.projects.map((p) => p.id), [projectId]);
        assert.equal(listed.pagination.totalResult, 1n);

        const user = await human(s, 'beta-authz');
        const { id } = await authz.createAuthorization({ userId: user.id, projectId, organizationId: org.id, roleKeys: ['reader'] });
        const byUser = { filters: [{ filter: { case: 'userId', value: { id: user.id } } }] };
        let { authorizations } = await authz.listAuthorizations(byUser);
        assert.equal(authorizations.length, 1);
        assert.equal(authorizations[0].id, id);
        assert.equal(authorizations[0].projectId, projectId);
        assert.equal(authorizations[0].projectName, projectName);
        assert.equal(authorizations[0].organizationId, org.id);
        assert.equal(authorizations[0].user.id, user.id);
        assert.deepEqual(authorizations[0].roles, ['reader']);
        assert.equal(authorizations[0].state, State.ACTIVE);

        await authz.deactivateAuthorization({ id });
        ({ authorizations } = await authz.listAuthorizations(byUser));
        assert.equal(authorizations[0].state, State.INACTIVE);
        await authz.activateAuthorization({ id });

        // A user of this org without a membership may not grant or remove.
        const nobody = await machine(s, 'beta-nobody', { pat: true });
        const theirs = createClientFor(AuthorizationService)(transport(s, nobody.pat));
        let err = await rejection(theirs.deleteAuthorization({ id }));
        assert.equal(err.code, Code.PermissionDenied);
        assert.ok(errorIDs(err).length > 0, 'a refusal names its error id');
        err = await rejection(theirs.createAuthorization({ userId: nobody.id, projectId, organizationId: org.id, roleKeys: ['reader'] }));
        assert.equal(err.code, Code.PermissionDenied);
        assert.equal((await authz.listAuthorizations(byUser)).authorizations.length, 1);

        await authz.deleteAuthorization({ id });
        assert.equal((await authz.listAuthorizations(byUser)).authorizations.length, 0);

        // A project grant to another org, named by project and granted org:
        // made, changed, deactivated twice (no error), listed by v2beta's
        // filter names, refused to the caller without a membership, deleted.
        const { id: partner } = await mgmt(s).addOrg({ name: unique('beta-partner') });
        const grant = { projectId, grantedOrganizationId: partner };
        err = await rejection(projects.createProjectGrant({ ...grant, roleKeys: ['nope'] }));
        assert.equal(err.code, Code.FailedPrecondition);
        assert.deepEqual(errorIDs(err), ['COMMAND-6m9gd']);
        const { creationDate } = await projects.createProjectGrant({ ...grant, roleKeys: ['reader'] });
        assert.ok(creationDate, 'a creation date');
        await projects.updateProjectGrant({ ...grant, roleKeys: [] });
        await projects.deactivateProjectGrant(grant);
        const again = await projects.deactivateProjectGrant(grant);
        assert.ok(again.changeDate, 'a repeated deactivation answers the change date');
        const grants = await projects.listProjectGrants({
          filters: [
            { filter: { case: 'projectGrantResourceOwnerFilter', value: { id: partner } } },
            { filter: { case: 'projectResourceOwnerFilter', value: { id: org.id } } },
          ],
        });
        assert.deepEqual(grants.projectGrants.map((g) => [g.projectId, g.organizationId, g.projectName, g.state, g.grantedRoleKeys]),
          [[projectId, org.id, projectName, ProjectGrantState.INACTIVE, []]]);
        const theirProjects = createClientFor(ProjectService)(transport(s, nobody.pat));
        err = await rejection(theirProjects.deleteProjectGrant(grant));
        assert.equal(err.code, Code.PermissionDenied);
        await projects.activateProjectGrant(grant);
        const { deletionDate } = await projects.deleteProjectGrant(grant);
        assert.ok(deletionDate, 'a deletion date');
        assert.equal((await projects.deleteProjectGrant(grant)).deletionDate, undefined);
        await projects.removeProjectRole({ projectId, roleKey: 'reader' });
        await projects.deleteProject({ id: projectId });
        err = await rejection(projects.getProject({ id: projectId }));
        assert.equal(err.code, Code.NotFound);
      });
    }
  });
}
