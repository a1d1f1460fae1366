import { describe, expect, it } from 'vitest';
import { compareJenkinsVersions, jenkinsVersionOfImage } from '../../lib/core/jenkins-version';

describe('Jenkins core versions', () => {
  it('reads the version from official image tags', () => {
    expect(jenkinsVersionOfImage('docker.io/jenkins/jenkins:2.528.1-jdk21')).toBe('2.528.1');
    expect(jenkinsVersionOfImage('jenkins/jenkins:2.528.1')).toBe('2.528.1');
    expect(jenkinsVersionOfImage('mirror:5000/jenkins/jenkins:2.541-alpine-jdk21')).toBe('2.541');
    expect(jenkinsVersionOfImage(`jenkins/jenkins:2.528.1-jdk21@sha256:${'a'.repeat(64)}`)).toBe('2.528.1');
  });

  it('finds none in a tag without a version, without a tag, or in a bad reference', () => {
    expect(jenkinsVersionOfImage('jenkins/jenkins:lts-jdk21')).toBeUndefined();
    expect(jenkinsVersionOfImage('jenkins/jenkins:latest')).toBeUndefined();
    expect(jenkinsVersionOfImage(`jenkins/jenkins@sha256:${'a'.repeat(64)}`)).toBeUndefined();
    expect(jenkinsVersionOfImage('jenkins/jenkins:2.528.1x')).toBeUndefined();
    expect(jenkinsVersionOfImage('not an image')).toBeUndefined();
  });

  it('orders versions numerically, a weekly before its LTS line', () => {
    expect(compareJenkinsVersions('2.516.3', '2.541.1')).toBeLessThan(0);
    expect(compareJenkinsVersions('2.541.1', '2.528.1')).toBeGreaterThan(0);
    expect(compareJenkinsVersions('2.99.1', '2.100')).toBeLessThan(0);
    expect(compareJenkinsVersions('2.528', '2.528.1')).toBeLessThan(0);
    expect(compareJenkinsVersions('2.528.1', '2.528.1')).toBe(0);
    expect(compareJenkinsVersions('2.528.0', '2.528')).toBe(0);
  });
});
