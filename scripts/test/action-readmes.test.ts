// Every action's README documents every input and output of its action.yml (readme-check.ts);
// and the check itself is shown to catch a README that misses one, on small samples.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { actionDirs } from '../build-actions.js';
import { documentedRows, readActionInterface, readmeGaps } from './readme-check.js';

describe('action READMEs on this repository', () => {
  const actions = actionDirs();

  it('finds the three actions', () => {
    expect(actions.map((dir) => basename(dir))).toEqual(['apply', 'plan', 'traffic-shift']);
  });

  it.each(actions.map((dir) => [basename(dir), dir]))(
    '%s/README.md documents every input and output of its action.yml',
    (_name, dir) => {
      const actionYml = readFileSync(join(dir, 'action.yml'), 'utf8');
      const readme = readFileSync(join(dir, 'README.md'), 'utf8');
      expect(readmeGaps(actionYml, readme)).toEqual([]);
      // Not vacuous: the tables hold exactly the names action.yml declares.
      const { inputs, outputs } = readActionInterface(actionYml);
      expect(inputs.size).toBeGreaterThan(0);
      expect(outputs.length).toBeGreaterThan(0);
      expect([...(documentedRows(readme, 'Inputs')?.keys() ?? [])].sort()).toEqual(
        [...inputs.keys()].sort(),
      );
      expect([...(documentedRows(readme, 'Outputs')?.keys() ?? [])].sort()).toEqual(
        [...outputs].sort(),
      );
    },
  );
});

const ACTION_YML = `
name: sample
inputs:
  target:
    description: where to go
    required: true
  replace:
    description: addresses
    required: false
    default: ''
  dry-run:
    description: change nothing
    default: false
  token:
    default: \${{ github.token }}
  lines:
    default: |
      one
      two
outputs:
  replace:
    description: resources to replace
  digest:
    description: the digest
runs:
  using: node24
  main: dist/index.js
`;

const COMPLETE = `# sample

Uses \`replace\` and \`digest\` in prose, and in an example:

\`\`\`yaml
# Inputs
- uses: ./sample
  with:
    target: here
\`\`\`

## Inputs

| input | default | what it does |
| --- | --- | --- |
| \`target\` | required | where to go |
| \`replace\` | | addresses, one a line (\`a \\| b\` is one cell) |
| \`dry-run\` | \`false\` | change nothing |
| \`token\` | \`\${{ github.token }}\` | the token |
| \`lines\` | two lines (below) | lines |

### Outputs

| output | what it holds |
| --- | --- |
| \`replace\` | resources to replace |
| \`digest\` | the digest |

## Next section

| \`stray\` | a table under another heading is not the inputs table |
`;

describe('the README check on samples', () => {
  it('reads names, required and defaults from action.yml as the runner sees them', () => {
    const { inputs, outputs } = readActionInterface(ACTION_YML);
    expect(Object.fromEntries(inputs)).toEqual({
      target: { required: true, default: undefined },
      replace: { required: false, default: '' },
      'dry-run': { required: false, default: 'false' },
      token: { required: false, default: '${{ github.token }}' },
      lines: { required: false, default: 'one\ntwo\n' },
    });
    expect(outputs).toEqual(['replace', 'digest']);
  });

  it('finds nothing missing in a README that documents everything', () => {
    expect(readmeGaps(ACTION_YML, COMPLETE)).toEqual([]);
    expect(documentedRows(COMPLETE, 'Inputs')?.get('replace')?.[2]).toBe(
      'addresses, one a line (`a \\| b` is one cell)',
    );
  });

  it('names an input missing from the Inputs table, though prose and examples mention it', () => {
    const readme = COMPLETE.replace(/^\| `target` .*\n/m, '');
    expect(readmeGaps(ACTION_YML, readme)).toEqual(['input `target` is not in the Inputs table']);
  });

  it('names an output documented only as an input of the same name', () => {
    const readme = COMPLETE.replace(/^\| `replace` \| resources .*\n/m, '');
    expect(readmeGaps(ACTION_YML, readme)).toEqual([
      'output `replace` is not in the Outputs table',
    ]);
  });

  it('names a missing section, a stale row, a wrong default and an unmarked required input', () => {
    expect(readmeGaps(ACTION_YML, COMPLETE.replace('### Outputs', '### Results'))).toEqual([
      'no "Outputs" heading',
    ]);
    expect(
      readmeGaps(
        ACTION_YML,
        COMPLETE.replace('| `digest` | the digest |', '| `sha` | the digest |'),
      ),
    ).toEqual([
      'output `digest` is not in the Outputs table',
      'the Outputs table lists `sha`, which action.yml does not have',
    ]);
    expect(readmeGaps(ACTION_YML, COMPLETE.replace('| `false` |', '| `true` |'))).toEqual([
      'input `dry-run` defaults to `false`, but the README says "`true`"',
    ]);
    expect(readmeGaps(ACTION_YML, COMPLETE.replace('| required |', '| |'))).toEqual([
      'input `target` is required, but the README says ""',
    ]);
  });

  it('does not take a heading inside a code block as a section', () => {
    const readme = COMPLETE.replace(/\n## Inputs\n/, '\n## Usage\n');
    expect(documentedRows(readme, 'Inputs')).toBeUndefined();
    expect(readmeGaps(ACTION_YML, readme)).toContain('no "Inputs" heading');
  });
});
