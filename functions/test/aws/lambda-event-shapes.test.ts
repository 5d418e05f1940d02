/**
 * The project's hand-written Lambda events (support/lambda-events.ts) against real events beside
 * the checkout (../shared/fixtures/aws-lambda-events, aws/aws-lambda-go's test data): the same
 * keys at every level the adapter reads, with values of the same types. A corpus suite: each
 * file is its own test; without the folder it prints one line, and fails under CI=true.
 */
import { expect } from '@jest/globals';
import { describeCorpus } from '../../../test-bench/src/corpus.js';
import { httpApiEvent, httpApiEventWithJwt, sqsEvent } from '../support/lambda-events.js';

type Json = Record<string, unknown>;

/** Key -> JSON type ("string", "number", "array", ...), for the keys of one object. */
function shape(value: unknown, leaveOut: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value as Json)) {
    if (!leaveOut.includes(key)) out[key] = Array.isArray(item) ? 'array' : typeof item;
  }
  return out;
}

function expectSameHttpApiShape(real: Json, name: string): void {
  const ours = (name.includes('no-authorizer')
    ? httpApiEvent()
    : httpApiEventWithJwt()) as unknown as Json;
  expect(shape(ours)).toEqual(shape(real));
  // The mTLS client certificate belongs to a custom-domain setting the project does not use.
  const context = (event: Json) => event['requestContext'] as Json;
  expect(shape(context(ours), ['authentication'])).toEqual(
    shape(context(real), ['authentication']),
  );
  expect(shape(context(ours)['http'])).toEqual(shape(context(real)['http']));
  // AWS documents "12/Mar/2020:19:03:58 +0000"; some of aws-lambda-go's files drop the space.
  expect(String(context(ours)['time'])).toMatch(
    /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/,
  );
  expect(String(context(real)['time'])).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}(:\d\d){3} ?\+0000$/);
}

function expectSameSqsShape(real: Json): void {
  const [ours] = sqsEvent(['{}']).Records as unknown as Json[];
  const [record] = real['Records'] as Json[];
  expect(shape(ours)).toEqual(shape(record));
  expect(shape((ours as Json)['attributes'])).toEqual(shape((record as Json)['attributes']));
  const attribute = (entry: Json) =>
    Object.values(entry['messageAttributes'] as Record<string, Json>)[0] as Json;
  expect(Object.keys(shape(attribute(ours as Json)))).toEqual(
    expect.arrayContaining(['dataType', 'stringListValues', 'binaryListValues']),
  );
  expect(Object.keys(shape(attribute(record as Json)))).toEqual(
    expect.arrayContaining(['dataType', 'stringListValues', 'binaryListValues']),
  );
}

describeCorpus('aws-lambda-events', 'Lambda event shapes', (text, name) => {
  const real = JSON.parse(text) as Json;
  if (name.startsWith('apigw-v2-')) expectSameHttpApiShape(real, name);
  else if (name.startsWith('sqs-')) expectSameSqsShape(real);
  else throw new Error(`${name}: no project event to compare it with`);
});
