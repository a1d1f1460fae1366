import * as fs from 'node:fs';
import { k8s } from 'cdk8s-plus-28';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { crdListDefaultFindings } from '../../lib/checks/crd-list-defaults';
import { ImageAutomation } from '../../lib/ci/image-automation';
import { Component } from '../../lib/core/component';
import { findObject, objectsIn, synthPlatform, testPlatform } from '../helpers';
import { declaredCrdFile } from '../schemas';

const CRD = declaredCrdFile('argocd-image-updater/argocd-image-updater.argoproj.io_imageupdaters.yaml');
const schema = parse(fs.readFileSync(CRD, 'utf8')).spec.versions[0].schema.openAPIV3Schema as Record<string, unknown>;
const REGISTRY = 'registry.local:30500';

function handWritten(ref: Record<string, unknown>, spec: Record<string, unknown> = {}) {
  return { apiVersion: 'argocd-image-updater.argoproj.io/v1alpha1', kind: 'ImageUpdater', metadata: { name: 'x', namespace: 'argocd' }, spec: { applicationRefs: [ref], ...spec } };
}

describe('crdListDefaultFindings', () => {
  it('passes the ImageUpdater resource Kompile writes (against the real v1.3.0 CRD)', () => {
    const platform = testPlatform();
    const target = new Component(platform, 'App', { name: 'backend', namespace: 'apps' });
    // A pod running the automated image: ImageAutomation refuses images the component does not run.
    new k8s.KubePod(target, 'C', { metadata: { name: 'c' }, spec: { containers: [{ name: 'api', image: `${REGISTRY}/chatbot/backend:1.0.0` }] } });
    const holder = new Component(platform, 'Automation', { name: 'image-automation', namespace: 'argocd' });
    new ImageAutomation(holder, 'Backend', { target, namespace: 'argocd', registry: REGISTRY, targetBranch: 'main', writeBranch: 'image-updates/dev', gitCredentialsSecret: 'image-updater-git', images: [{ alias: 'api', image: `${REGISTRY}/chatbot/backend`, tag: 'release' }] });
    const iu = findObject(objectsIn(synthPlatform(platform), 'image-automation/manifests.yaml'), 'ImageUpdater', 'backend', 'argocd');
    expect(crdListDefaultFindings(iu, schema)).toEqual([]);
  });

  it('names every defaulted field a list item leaves unset, with its default', () => {
    const cr = handWritten({ namePattern: 'a', images: [{ alias: 'x', imageName: 'r/x', commonUpdateSettings: { updateStrategy: 'semver' } }] });
    expect(crdListDefaultFindings(cr, schema)).toEqual([
      expect.objectContaining({ pointer: '/spec/applicationRefs/0/images/0/commonUpdateSettings/forceUpdate', default: false }),
      expect.objectContaining({ pointer: '/spec/applicationRefs/0/useAnnotations', default: false }),
    ]);
    expect(crdListDefaultFindings(cr, schema)[1].message).toBe(
      "the CRD defaults /spec/applicationRefs/0/useAnnotations to false inside a list item, and Argo CD's client-side diff compares the list whole: write /spec/applicationRefs/0/useAnnotations explicitly (default false) or use server-side diff",
    );
  });

  it('ignores defaults below an absent object and outside lists (the three-way diff skips those)', () => {
    // imagesVerification (default enabled: true) is absent; spec.commonUpdateSettings is no list item.
    const cr = handWritten({ namePattern: 'a', useAnnotations: false }, { commonUpdateSettings: { allowTags: 'x' } });
    expect(crdListDefaultFindings(cr, schema)).toEqual([]);
  });
});
