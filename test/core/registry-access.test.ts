import { describe, expect, it } from 'vitest';
import { patternMatches, REPOSITORY_NAME, REPOSITORY_PATTERN, repositoryIn, zotRepositories } from '../../lib/core/registry-access';

describe('registry repository patterns (the doublestar subset Kompile writes)', () => {
  it('matches ** everywhere, <repository>/** below the repository, a name only itself', () => {
    expect(patternMatches('**', 'chatbot/backend')).toBe(true);
    expect(patternMatches('chatbot/**', 'chatbot/backend')).toBe(true);
    expect(patternMatches('chatbot/**', 'chatbot/backend/debug')).toBe(true);
    expect(patternMatches('chatbot/**', 'chatbot')).toBe(true);
    expect(patternMatches('chatbot/**', 'chatbots/backend')).toBe(false);
    expect(patternMatches('chatbot/backend', 'chatbot/backend')).toBe(true);
    expect(patternMatches('chatbot/backend', 'chatbot/backend-2')).toBe(false);
  });

  it('accepts repository names and the two glob forms, nothing else', () => {
    for (const ok of ['cache', 'chatbot/backend', 'a.b/c_d/e--f', '**', 'chatbot/**']) expect(REPOSITORY_PATTERN.test(ok), ok).toBe(true);
    for (const bad of ['chat*', 'Chatbot/backend', '/chatbot', 'chatbot/', '**/backend', 'chatbot/*', 'a..b']) expect(REPOSITORY_PATTERN.test(bad), bad).toBe(false);
    expect(REPOSITORY_NAME.test('**')).toBe(false);
    expect(REPOSITORY_NAME.test('chatbot/**')).toBe(false);
  });

  it('takes the repository of an image in the registry, and nothing of an image elsewhere', () => {
    expect(repositoryIn('registry.local:30500', 'registry.local:30500/chatbot/backend')).toBe('chatbot/backend');
    expect(repositoryIn('registry.local:30500', 'registry.local:5000/chatbot/backend')).toBeUndefined();
  });
});

describe('zotRepositories: Zot applies only the longest matching pattern', () => {
  it("copies a pattern's rights onto every repository name it covers", () => {
    const { repositories, conflicts } = zotRepositories([
      { user: 'ci', actions: ['read', 'create'], repositories: ['chatbot/backend'] },
      { user: 'nodes', actions: ['read'], repositories: ['chatbot/**'] },
    ]);
    expect(conflicts).toEqual([]);
    expect(Object.keys(repositories)).toEqual(['chatbot/**', 'chatbot/backend']);
    expect(repositories['chatbot/backend'].policies).toEqual([
      { users: ['ci'], actions: ['read', 'create'] },
      { users: ['nodes'], actions: ['read'] },
    ]);
    expect(repositories['chatbot/**'].policies).toEqual([{ users: ['nodes'], actions: ['read'] }]);
  });

  it('grants update only in the repositories an identity names in updateIn', () => {
    const { repositories } = zotRepositories([{ user: 'ci', actions: ['read', 'create'], repositories: ['chatbot/backend', 'kcloud/operator'], updateIn: ['chatbot/backend'] }]);
    expect(repositories['chatbot/backend'].policies).toEqual([{ users: ['ci'], actions: ['read', 'create', 'update'] }]);
    expect(repositories['kcloud/operator'].policies).toEqual([{ users: ['ci'], actions: ['read', 'create'] }]);
  });

  it("reports another identity's longer pattern over a name, not the identity's own", () => {
    expect(zotRepositories([{ user: 'nodes', actions: ['read'], repositories: ['chatbot', 'chatbot/**'] }]).conflicts).toEqual([]);
    const { conflicts } = zotRepositories([
      { user: 'ci', actions: ['read', 'create'], repositories: ['chatbot'] },
      { user: 'nodes', actions: ['read'], repositories: ['chatbot/**'] },
    ]);
    expect(conflicts).toEqual([
      "pattern 'chatbot/**' of user 'nodes' is longer than repository 'chatbot' of user 'ci' and matches it: Zot applies only the longest matching pattern, so 'ci' would lose its rights there",
    ]);
  });
});
