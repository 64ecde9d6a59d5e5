// @exp/train: reverse-mode autodiff over @exp/models' ONNX graph IR, and the causal-LM loss.
export { gradients, type GradientsOptions } from './gradients.js';
export { RULES, NON_DIFFERENTIABLE, type Rule, type RuleCtx } from './rules.js';
export { causalLmLoss, IGNORE_INDEX, type LossOptions } from './loss.js';
export { GradientError, type TypeInfo, type TypeMap } from './types.js';
