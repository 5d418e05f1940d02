// The Inputs and Outputs tables of a module README, generated from the module itself (the
// way terraform-docs does), so that a test can keep every README in step with its code.
import type { Body, TerraformModule } from './terraform-module.js';

function typeText(type: unknown): string {
  return String(type)
    .replace(/^\$\{([\s\S]*)\}$/, '$1')
    .replace(/\n\s*(?=[a-z_]+\s*=)/g, ', ')
    .replace(/\(\{, /g, '({ ')
    .replace(/\s+/g, ' ');
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** Declaration order in the files, which is the order the README lists them in. */
function inFileOrder(
  module: TerraformModule,
  kind: 'variable' | 'output',
  names: string[],
): string[] {
  const text = Object.keys(module.files)
    .sort()
    .map((file) => module.files[file])
    .join('\n');
  return [...names].sort((a, b) => text.indexOf(`${kind} "${a}"`) - text.indexOf(`${kind} "${b}"`));
}

/** Markdown from `## Inputs` to the end of the README, before prettier aligns the columns. */
export function readmeTables(module: TerraformModule): string {
  const lines = [
    '## Inputs',
    '',
    '| Name | Description | Type | Default |',
    '| --- | --- | --- | --- |',
  ];
  for (const name of inFileOrder(module, 'variable', [...module.variables.keys()])) {
    const body: Body = module.variables.get(name)?.body ?? {};
    const defaultText =
      'default' in body ? `\`${cell(JSON.stringify(body.default))}\`` : 'required';
    lines.push(
      `| \`${name}\` | ${cell(String(body.description))} | \`${cell(typeText(body.type))}\` | ${defaultText} |`,
    );
  }
  lines.push('', '## Outputs', '', '| Name | Description |', '| --- | --- |');
  for (const name of inFileOrder(module, 'output', [...module.outputs.keys()])) {
    lines.push(`| \`${name}\` | ${cell(String(module.outputs.get(name)?.body.description))} |`);
  }
  return `${lines.join('\n')}\n`;
}
