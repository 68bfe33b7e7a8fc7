# How the golden values in the tests were made (run once by hand, from this folder, with Debian python3-sklearn 1.2.1):
#   /usr/bin/python3 make_golden.py
# LogisticRegression uses solver=newton-cg with tol=1e-12 to get the exact optimum: lbfgs with tol=1e-10 stops
# earlier on scipy's ftol (max gradient ~6e-5 here); its coefficients agree with these to ~1e-6.
import numpy as np, sklearn
from sklearn.preprocessing import StandardScaler, PolynomialFeatures
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.metrics import roc_auc_score, average_precision_score
from scipy.special import expit
rng = np.random.default_rng(7)
n = 60
X = np.round(rng.normal(size=(n, 3)) * [1.0, 2.0, 0.5] + [0.0, 1.0, -1.0], 4)
z = -0.8 + 1.1 * X[:, 0] - 0.6 * X[:, 1] * X[:, 2] + 0.4 * X[:, 2]
y = (rng.random(n) < expit(z)).astype(int)
np.savetxt('golden_small.csv', np.column_stack([X, y]), delimiter=',', fmt=['%.4f', '%.4f', '%.4f', '%d'], header='a,b,c,label', comments='')
print("positives", y.sum(), "sklearn", sklearn.__version__)
def show(name, v): print(name, "= [" + ", ".join(repr(float(t)) for t in np.ravel(v)) + "]")
for C, cw in [(1.0, 'balanced'), (10.0, None)]:
    lr = LogisticRegression(C=C, class_weight=cw, tol=1e-12, max_iter=10000, solver='newton-cg').fit(X, y)
    show(f"raw C={C} cw={cw} coef", lr.coef_); show("  intercept", lr.intercept_); print("  iters", lr.n_iter_)
    sw = np.ones(n) if cw is None else np.where(y == 1, n / (2 * y.sum()), n / (2 * (n - y.sum())))
    r = C * sw * (expit(X @ lr.coef_[0] + lr.intercept_[0]) - y)
    print("  grad max", np.abs(np.concatenate([X.T @ r + lr.coef_[0], [r.sum()]])).max())
pipe = make_pipeline(StandardScaler(), PolynomialFeatures(2, include_bias=False), LogisticRegression(C=1.0, class_weight='balanced', tol=1e-12, max_iter=10000, solver='newton-cg')).fit(X, y)
show("scaler mean", pipe[0].mean_); show("scaler scale", pipe[0].scale_)
show("pipe coef", pipe[-1].coef_); show("pipe intercept", pipe[-1].intercept_)
show("pipe proba rows 0..4", pipe.predict_proba(X[:5])[:, 1])
print("powers3", PolynomialFeatures(3, include_bias=False).fit(np.zeros((1, 3))).powers_.tolist())
s = np.array([0.1, 0.4, 0.35, 0.8, 0.4, 0.1, 0.9, 0.35, 0.4, 0.2, 0.8, 0.5])
l = np.array([0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 0])
print("auc", repr(roc_auc_score(l, s)), "ap", repr(average_precision_score(l, s)))
