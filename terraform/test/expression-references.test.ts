import { describe, expect, it } from '@jest/globals';
import { templateReferences } from './support/expression-references.js';

const texts = (template: string) => templateReferences(template).map((reference) => reference.text);

describe('templateReferences', () => {
  it('finds traversals with attributes and indexes, in plain and nested templates', () => {
    expect(texts('${aws_s3_bucket.data.arn}/${local.prefix}-x')).toEqual([
      'aws_s3_bucket.data.arn',
      'local.prefix',
    ]);
    expect(texts('${aws_lambda_function.functions[each.key].invoke_arn}')).toEqual([
      'each.key',
      'aws_lambda_function.functions[*].invoke_arn',
    ]);
    expect(texts('${module.cell.outputs[0].x}')).toEqual(['module.cell.outputs[*].x']);
    expect(texts('${join(",", [for k in sort(keys(var.m)) : "${k}=${var.m[k]}"])}')).toEqual([
      'var.m',
      'var.m[*]',
    ]);
  });

  it('looks inside for-expression bodies (which hcl2json getReferencesInExpression skips)', () => {
    expect(
      texts('${[for p in each.value.s3_prefixes : "${aws_s3_bucket.data.arn}/${p}*"]}'),
    ).toEqual(['each.value.s3_prefixes', 'aws_s3_bucket.data.arn']);
    expect(texts('${{ for key, fn in aws_lambda_function.f : key => fn.function_name }}')).toEqual([
      'aws_lambda_function.f',
    ]);
  });

  it('skips function names, object keys, keywords, literals, escapes and template directives', () => {
    expect(texts('${merge(var.tags, { Name = "x", count = 1 })}')).toEqual(['var.tags']);
    expect(texts('${var.a == null ? true : false}')).toEqual(['var.a']);
    expect(texts('$${not.a_reference} and "${"quoted.text"}"')).toEqual([]);
    expect(texts('%{if var.p == ""}%{else}/${var.p}%{endif}')).toEqual(['var.p', 'var.p']);
    expect(texts('$context.requestId')).toEqual([]);
  });
});
