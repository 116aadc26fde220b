import { describe, expect, it } from 'vitest';
import { assertJavaAvailable, JAVA_MISSING_MESSAGE } from '../../infra/local/dynamodb-local';

describe('DynamoDB Local launcher', () => {
  it('says how to install Java when it is missing', () => {
    expect(() => assertJavaAvailable('java-that-does-not-exist')).toThrow(JAVA_MISSING_MESSAGE);
    expect(JAVA_MISSING_MESSAGE).toContain('apt-get install -y default-jre-headless');
  });

  it('accepts the Java on this machine', () => {
    expect(() => assertJavaAvailable()).not.toThrow();
  });
});
