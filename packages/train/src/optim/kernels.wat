;; The optimizer's per-parameter loops, in WebAssembly SIMD: 4 float32 lanes at a time.
;; relaxed_madd is a fused multiply-add on every CPU with FMA (x86-64 since 2013, arm64), where
;; torch's vectorised CPU kernels use one too; without FMA hardware it rounds twice.
;; kernels.ts copies chunks of the parameter, gradient and moment arrays into this module's
;; memory, calls these, and copies the results back; `pnpm -F @exp/train kernels` compiles this
;; file into kernels-wasm.ts. Every byte offset is 16-aligned and every count a multiple of 4.
(module
  (memory (export "memory") 1)

  ;; One AdamW step over n values, float32, each operation as torch's single-tensor AdamW on
  ;; the CPU does it (fma(a, b, c) = a * b + c rounded once):
  ;;   g = grad * scale
  ;;   p = p * decay                                   param.mul_(1 - lr * wd)
  ;;   m = fma(coef, g - m, base)                      exp_avg.lerp_(grad, 1 - beta1)
  ;;   v = fma(c2 * g, g, v * b2)                      exp_avg_sq.mul_(b2).addcmul_(g, g, 1 - b2)
  ;;   p = p + (nss * m) / (sqrt(v) / bc2s + eps)      param.addcdiv_(m, denom, -step_size)
  ;; lerp's base is m (coef = w) when its weight w < 0.5, else g (coef = w - 1), as torch's.
  (func (export "adamw")
    (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $scale f32) (param $decay f32) (param $coef f32) (param $lerpFromGrad i32)
    (param $b2 f32) (param $c2 f32) (param $bc2s f32) (param $eps f32) (param $nss f32)
    (local $end i32) (local $gx v128) (local $mx v128) (local $vx v128) (local $fromG v128)
    (local $S v128) (local $DEC v128) (local $COEF v128) (local $B2 v128) (local $C2 v128)
    (local $BC v128) (local $EPS v128) (local $NSS v128)
    (local.set $S (f32x4.splat (local.get $scale)))
    (local.set $DEC (f32x4.splat (local.get $decay)))
    (local.set $COEF (f32x4.splat (local.get $coef)))
    (local.set $fromG (i32x4.splat (i32.sub (i32.const 0) (local.get $lerpFromGrad))))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $C2 (f32x4.splat (local.get $c2)))
    (local.set $BC (f32x4.splat (local.get $bc2s)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $NSS (f32x4.splat (local.get $nss)))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $gx (f32x4.mul (v128.load (local.get $g)) (local.get $S)))
        (local.set $mx (v128.load (local.get $m)))
        (local.set $mx
          (f32x4.relaxed_madd
            (local.get $COEF)
            (f32x4.sub (local.get $gx) (local.get $mx))
            (v128.bitselect (local.get $gx) (local.get $mx) (local.get $fromG))))
        (local.set $vx
          (f32x4.relaxed_madd
            (f32x4.mul (local.get $C2) (local.get $gx))
            (local.get $gx)
            (f32x4.mul (v128.load (local.get $v)) (local.get $B2))))
        (v128.store (local.get $m) (local.get $mx))
        (v128.store (local.get $v) (local.get $vx))
        (v128.store (local.get $p)
          (f32x4.add
            (f32x4.mul (v128.load (local.get $p)) (local.get $DEC))
            (f32x4.div
              (f32x4.mul (local.get $NSS) (local.get $mx))
              (f32x4.add
                (f32x4.div (f32x4.sqrt (local.get $vx)) (local.get $BC))
                (local.get $EPS)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $m (i32.add (local.get $m) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (br $next))))

  ;; s = (first ? -0 : s) + w * g (-0 + x is x, signed zeros too) over n values (float32), returning the sum of the squares of
  ;; the new s in float64 (squares of float32 values are exact in float64; 4 partial sums).
  (func (export "accumulate")
    (param $s i32) (param $g i32) (param $n i32) (param $w f32) (param $first i32)
    (result f64)
    (local $end i32) (local $x v128) (local $W v128) (local $keep v128) (local $NZ v128)
    (local $lo v128) (local $hi v128)
    (local.set $W (f32x4.splat (local.get $w)))
    ;; all ones when s is added to, zeros when the group starts here
    (local.set $keep (i32x4.splat (i32.sub (i32.const 0) (i32.eqz (local.get $first)))))
    (local.set $NZ (f32x4.splat (f32.const -0)))
    (local.set $lo (f64x2.splat (f64.const 0)))
    (local.set $hi (f64x2.splat (f64.const 0)))
    (local.set $end (i32.add (local.get $s) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $s) (local.get $end)))
        (local.set $x
          (f32x4.add
            (v128.bitselect (v128.load (local.get $s)) (local.get $NZ) (local.get $keep))
            (f32x4.mul (local.get $W) (v128.load (local.get $g)))))
        (v128.store (local.get $s) (local.get $x))
        (local.set $lo (f64x2.add (local.get $lo)
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $x)) (f64x2.promote_low_f32x4 (local.get $x)))))
        (local.set $x (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))
        (local.set $hi (f64x2.add (local.get $hi)
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $x)) (f64x2.promote_low_f32x4 (local.get $x)))))
        (local.set $s (i32.add (local.get $s) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (br $next)))
    (local.set $lo (f64x2.add (local.get $lo) (local.get $hi)))
    (f64.add (f64x2.extract_lane 0 (local.get $lo)) (f64x2.extract_lane 1 (local.get $lo))))

  ;; The sum of the squares of n float32 values, in float64 as accumulate's.
  (func (export "sumOfSquares") (param $s i32) (param $n i32) (result f64)
    (local $end i32) (local $x v128) (local $lo v128) (local $hi v128)
    (local.set $lo (f64x2.splat (f64.const 0)))
    (local.set $hi (f64x2.splat (f64.const 0)))
    (local.set $end (i32.add (local.get $s) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $s) (local.get $end)))
        (local.set $x (v128.load (local.get $s)))
        (local.set $lo (f64x2.add (local.get $lo)
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $x)) (f64x2.promote_low_f32x4 (local.get $x)))))
        (local.set $x (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))
        (local.set $hi (f64x2.add (local.get $hi)
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $x)) (f64x2.promote_low_f32x4 (local.get $x)))))
        (local.set $s (i32.add (local.get $s) (i32.const 16)))
        (br $next)))
    (local.set $lo (f64x2.add (local.get $lo) (local.get $hi)))
    (f64.add (f64x2.extract_lane 0 (local.get $lo)) (f64x2.extract_lane 1 (local.get $lo)))))
