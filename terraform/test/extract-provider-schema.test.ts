// The schema extractor reads the CDKTF bindings' generated JavaScript and declarations. The
// real packages are too big to install here (see ADR 8), so this feeds it a miniature in the
// same shape: a resource with a required argument, a single nested block with a required
// argument (and an id, which in a nested block is an argument), a set block, and computed
// attributes.
import { describe, expect, it } from '@jest/globals';
// @ts-expect-error: a plain JavaScript maintenance script, checked by its own @ts-check
import { readType } from './provider-schema/extract-provider-schema.js';

const js = `
function widgetRuleToTerraform(struct) {
    if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) {
        return struct;
    }
    return {
        id: cdktf.stringToTerraform(struct.id),
        mode: cdktf.stringToTerraform(struct.mode),
        limit: cdktf.numberToTerraform(struct.limit),
    };
}
function widgetPortToTerraform(struct) {
    if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) {
        return struct;
    }
    return {
        number: cdktf.numberToTerraform(struct.number),
    };
}
class Widget extends cdktf.TerraformResource {
    constructor(scope, id, config) {
        super(scope, id, { terraformResourceType: 'example_widget' });
        this._rule = new WidgetRuleOutputReference(this, "rule");
        this._port = new WidgetPortList(this, "port", true);
    }
    get arn() {
        return this.getStringAttribute('arn');
    }
    get name() {
        return this.getStringAttribute('name');
    }
    synthesizeAttributes() {
        return {
            id: cdktf.stringToTerraform(this._id),
            name: cdktf.stringToTerraform(this._name),
            tags: cdktf.hashMapper(cdktf.stringToTerraform)(this._tags),
            rule: widgetRuleToTerraform(this._rule.internalValue),
            port: cdktf.listMapper(widgetPortToTerraform, true)(this._port.internalValue),
        };
    }
}
Widget.tfResourceType = "example_widget";
`;

const dts = `
export interface WidgetConfig extends cdktf.TerraformMetaArguments {
    /**
    * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/x/example/1.0.0/docs/resources/widget#name Widget#name}
    */
    readonly name: string;
    /**
    * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/x/example/1.0.0/docs/resources/widget#tags Widget#tags}
    */
    readonly tags?: { [key: string]: string };
    /**
    * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/x/example/1.0.0/docs/resources/widget#rule Widget#rule}
    */
    readonly rule?: WidgetRule;
}
export interface WidgetRule {
    /**
    * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/x/example/1.0.0/docs/resources/widget#id Widget#id}
    */
    readonly id: string;
    /**
    * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/x/example/1.0.0/docs/resources/widget#mode Widget#mode}
    */
    readonly mode: string;
    /**
    * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/x/example/1.0.0/docs/resources/widget#limit Widget#limit}
    */
    readonly limit?: number;
}
export declare function widgetRuleToTerraform(struct?: WidgetRuleOutputReference | WidgetRule): any;
export interface WidgetPort {
    /**
    * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/x/example/1.0.0/docs/resources/widget#number Widget#number}
    */
    readonly number: number;
}
export declare function widgetPortToTerraform(struct?: WidgetPort | cdktf.IResolvable): any;
export declare class Widget extends cdktf.TerraformResource {
    constructor(scope: Construct, id: string, config: WidgetConfig);
}
`;

describe('extract-provider-schema readType', () => {
  it('reads arguments, required flags, nested blocks with their nesting, and computed attributes', () => {
    expect(readType(js, dts)).toEqual({
      arguments: {
        name: { required: true },
        tags: { required: false },
        rule: {
          required: false,
          nesting: 'single',
          // A nested block's id is an argument (an S3 lifecycle rule's id); only the
          // resource's own id is computed and left out.
          block: { id: { required: true }, mode: { required: true }, limit: { required: false } },
        },
        port: { required: false, nesting: 'set', block: { number: { required: true } } },
      },
      attributes: ['arn', 'id', 'name', 'port', 'rule', 'tags'],
    });
  });
});
