/**
 * Ops whose outputs carry no gradient (integer/boolean results, or piecewise-constant functions whose
 * derivative is zero almost everywhere). The walker stops at them instead of asking for a rule.
 */
export const NO_GRADIENT: ReadonlySet<string> = new Set([
  'Shape', 'Size', 'ArgMax', 'ArgMin', 'Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'Not', 'And',
  'Or', 'Xor', 'IsNaN', 'IsInf', 'Constant', 'ConstantOfShape', 'NonZero', 'Range', 'EyeLike', 'OneHot', 'Hardmax',
  'Floor', 'Ceil', 'Round', 'Sign', 'BitShift', 'RandomNormal', 'RandomUniform', 'RandomNormalLike',
  'RandomUniformLike', 'Multinomial', 'Bernoulli', 'NonMaxSuppression', 'StringNormalizer', 'TfIdfVectorizer',
]);
