// The repository variables each bootstrap stack prints (its github_variables output): what the
// workflows may read besides their optional settings. bootstrap.test.ts checks the stacks print
// exactly these; scripts/test/workflow-rules.test.ts that the workflows read nothing else.
export const BOOTSTRAP_VARIABLES = {
  'bootstrap/aws': [
    'AWS_CELL_STATE',
    'AWS_DEPLOY_ROLE_ARN',
    'AWS_PERMISSIONS_BOUNDARY_ARN',
    'AWS_PLAN_ROLE_ARN',
    'AWS_REGION',
    'TF_BACKEND_CONFIG_aws',
    'TF_BACKEND_CONFIG_global',
  ],
  'bootstrap/azure': [
    'AZURE_CELL_STATE',
    'AZURE_DEPLOY_CLIENT_ID',
    'AZURE_PLAN_CLIENT_ID',
    'AZURE_SUBSCRIPTION_ID',
    'AZURE_TENANT_ID',
    'TF_BACKEND_CONFIG_azure',
  ],
};
