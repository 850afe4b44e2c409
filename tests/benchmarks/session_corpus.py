"""A data scientist's first session: the cells the representative-session benchmark runs, in order,
on one kernel (tests/benchmarks/test_session.py). Each cell follows a public tutorial of a package
in the lock, shortened to small data so that the imports, not the arithmetic, dominate, and
written here in our own words:

- pandas, "10 minutes to pandas" (https://pandas.pydata.org/docs/user_guide/10min.html): object
  creation, selection, missing data, operations, merge, grouping, reshaping, time series,
  categoricals, plotting, CSV in and out; and the Styler of "Table Visualization"
  (https://pandas.pydata.org/docs/user_guide/style.html).
- matplotlib, "Quick start guide" (https://matplotlib.org/stable/users/explain/quick_start.html):
  figures and axes, the two interfaces, styling, labels and annotations, legends, scales, dates
  and categories, colour mapped data.
- scikit-learn, "Getting Started" (https://scikit-learn.org/stable/getting_started.html): fitting
  and predicting, transformers and pipelines, model evaluation, automatic parameter searches; and
  user-guide examples: "Cross-validation: evaluating estimator performance"
  (https://scikit-learn.org/stable/modules/cross_validation.html), "Ensembles"
  (https://scikit-learn.org/stable/modules/ensemble.html), "Metrics and scoring"
  (https://scikit-learn.org/stable/modules/model_evaluation.html), "Clustering" (k-means,
  https://scikit-learn.org/stable/modules/clustering.html), "Decomposing signals in components"
  (PCA, https://scikit-learn.org/stable/modules/decomposition.html).
- SciPy, "Statistics (scipy.stats)" (https://docs.scipy.org/doc/scipy/tutorial/stats.html) and
  "Optimization (scipy.optimize)" (https://docs.scipy.org/doc/scipy/tutorial/optimize.html):
  distributions, descriptive statistics, tests, kernel density; minimize on the Rosenbrock
  function, curve fitting, root finding, linear programming; with scipy.interpolate and
  scipy.signal as the SciPy user guide's next chapters use them.

Every dataset is generated or ships with the package (scikit-learn's load_*): nothing is
downloaded. Plots go through the kernel's inline backend, as in a notebook.
"""

CELLS = (
    # pandas: 10 minutes to pandas
    """import numpy as np
import pandas as pd
s = pd.Series([1, 3, 5, np.nan, 6, 8])
dates = pd.date_range("20130101", periods=6)
df = pd.DataFrame(np.random.randn(6, 4), index=dates, columns=list("ABCD"))
df.describe()""",
    """df.sort_values(by="B"); df.loc[dates[0]]; df.iloc[3:5, 0:2]; df[df["A"] > 0]
df2 = df.copy(); df2["E"] = ["one", "one", "two", "three", "four", "three"]
df2[df2["E"].isin(["two", "four"])]
df1 = df.reindex(index=dates[0:4], columns=list(df.columns) + ["E"]); df1.loc[dates[0]:dates[1], "E"] = 1
df1.dropna(how="any"); df1.fillna(value=5); pd.isna(df1)
df.agg(lambda x: np.mean(x) * 5.6); df.transform(lambda x: x * 101.2)""",
    """left = pd.DataFrame({"key": ["foo", "bar"], "lval": [1, 2]})
right = pd.DataFrame({"key": ["foo", "bar"], "rval": [4, 5]})
pd.merge(left, right, on="key")
df3 = pd.DataFrame({"A": ["foo", "bar", "foo", "bar", "foo", "bar", "foo", "foo"],
                    "B": ["one", "one", "two", "three", "two", "two", "one", "three"],
                    "C": np.random.randn(8), "D": np.random.randn(8)})
df3.groupby("A")[["C", "D"]].sum(); df3.groupby(["A", "B"]).sum()
stacked = df3.groupby(["A", "B"])[["C", "D"]].sum().stack(); stacked.unstack()
pd.pivot_table(df3, values="D", index=["A"], columns=["B"])""",
    """rng = pd.date_range("1/1/2012", periods=100, freq="s")
ts = pd.Series(np.random.randint(0, 500, len(rng)), index=rng)
ts.resample("5Min").sum(); ts.tz_localize("UTC").tz_convert("US/Eastern")
cat = pd.DataFrame({"id": [1, 2, 3], "raw_grade": ["a", "b", "a"]})
cat["grade"] = cat["raw_grade"].astype("category"); cat.groupby("grade", observed=False).size()
df.to_csv("/tmp/foo.csv"); pd.read_csv("/tmp/foo.csv")
df.style.background_gradient().format("{:.2f}").to_html()[:10]""",
    """%matplotlib inline
import matplotlib.pyplot as plt
ts = pd.Series(np.random.randn(1000), index=pd.date_range("1/1/2000", periods=1000)).cumsum()
ts.plot(); plt.show()
pd.DataFrame(np.random.randn(1000, 4), index=ts.index, columns=list("ABCD")).cumsum().plot(); plt.legend(loc="best")
pd.plotting.scatter_matrix(df, figsize=(4, 4)); plt.show()""",
    # matplotlib: Quick start guide
    """import matplotlib as mpl
fig, ax = plt.subplots(figsize=(5, 2.7), layout="constrained")
x = np.linspace(0, 2, 100)
ax.plot(x, x, label="linear"); ax.plot(x, x**2, label="quadratic"); ax.plot(x, x**3, label="cubic")
ax.set_xlabel("x label"); ax.set_ylabel("y label"); ax.set_title("Simple Plot"); ax.legend()
ax.annotate("local max", xy=(1, 1), xytext=(1.5, 1.5), arrowprops=dict(facecolor="black", shrink=0.05))
plt.show()""",
    """fig, axs = plt.subplots(2, 2, figsize=(6, 5), layout="constrained")
data = np.random.randn(2, 100)
axs[0, 0].hist(data[0]); axs[1, 0].scatter(data[0], data[1]); axs[0, 1].plot(data[0], data[1])
axs[1, 1].set_yscale("log"); axs[1, 1].plot(np.arange(100), 10**np.random.randn(100))
dates = np.arange(np.datetime64("2021-11-15"), np.datetime64("2021-12-25"), np.timedelta64(1, "h"))
fig2, ax2 = plt.subplots(); ax2.plot(dates, np.cumsum(np.random.randn(len(dates))))
ax2.xaxis.set_major_formatter(mpl.dates.ConciseDateFormatter(ax2.xaxis.get_major_locator()))
fig3, ax3 = plt.subplots(); ax3.bar(["turnips", "rutabaga", "cucumber", "pumpkins"], np.random.rand(4))
X, Y = np.meshgrid(np.linspace(-3, 3, 128), np.linspace(-3, 3, 128)); Z = (1 - X/2 + X**5 + Y**3) * np.exp(-X**2 - Y**2)
fig4, ax4 = plt.subplots(); pc = ax4.pcolormesh(X, Y, Z, vmin=-1, vmax=1, cmap="RdBu_r"); fig4.colorbar(pc, ax=ax4)
ax4.contour(X, Y, Z, levels=7)
plt.show()""",
    # scikit-learn: Getting Started
    """from sklearn.ensemble import RandomForestClassifier
clf = RandomForestClassifier(random_state=0, n_estimators=20)
clf.fit([[1, 2, 3], [11, 12, 13]], [0, 1]); clf.predict([[4, 5, 6], [14, 15, 16]])
from sklearn.preprocessing import StandardScaler
StandardScaler().fit([[0, 15], [1, -10]]).transform([[0, 15], [1, -10]])
from sklearn.pipeline import make_pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from sklearn.metrics import accuracy_score
pipe = make_pipeline(StandardScaler(), LogisticRegression())
X, y = load_iris(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
pipe.fit(X_train, y_train); accuracy_score(pipe.predict(X_test), y_test)""",
    """from sklearn.datasets import make_regression, load_diabetes
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import cross_validate, RandomizedSearchCV
from sklearn.ensemble import RandomForestRegressor
from scipy.stats import randint
X, y = make_regression(n_samples=200, random_state=0)
cross_validate(LinearRegression(), X, y)["test_score"]
X, y = load_diabetes(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
search = RandomizedSearchCV(estimator=RandomForestRegressor(random_state=0, n_estimators=10), n_iter=3,
                            param_distributions={"max_depth": randint(3, 10)}, random_state=0, cv=3)
search.fit(X_train, y_train); search.best_params_; search.score(X_test, y_test)""",
    # scikit-learn: user-guide examples (cross-validation, ensembles, metrics, clustering, PCA)
    """from sklearn.model_selection import cross_val_score, KFold
from sklearn.svm import SVC
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import classification_report, confusion_matrix, ConfusionMatrixDisplay, f1_score
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
X, y = load_iris(return_X_y=True)
cross_val_score(SVC(kernel="linear", C=1), X, y, cv=KFold(n_splits=5, shuffle=True, random_state=0))
hgb = HistGradientBoostingClassifier(max_iter=20).fit(X_train := X[::2], y_train := y[::2])
print(classification_report(y[1::2], hgb.predict(X[1::2]))); f1_score(y[1::2], hgb.predict(X[1::2]), average="macro")
ConfusionMatrixDisplay(confusion_matrix(y[1::2], hgb.predict(X[1::2]))).plot(); plt.show()
KMeans(n_clusters=3, n_init="auto", random_state=0).fit(X).labels_[:5]
PCA(n_components=2).fit_transform(X)[:2]""",
    # SciPy: statistics
    """from scipy import stats
from scipy.stats import norm
norm.cdf([-1., 0, 1]); norm.ppf(0.5); norm.rvs(size=3, random_state=0); norm.fit(np.random.randn(100))
x = stats.t.rvs(10, size=1000, random_state=0); stats.describe(x)
stats.ttest_1samp(x, 0.0); stats.kstest(x, "t", (10,)); stats.ttest_ind(x[:500], x[500:])
kde = stats.gaussian_kde(x); kde(np.linspace(-3, 3, 5))
stats.pearsonr(x[:500], x[500:]); stats.linregress(np.arange(10), np.arange(10) * 2 + 1)""",
    # SciPy: optimization, interpolation, signal
    """from scipy.optimize import minimize, curve_fit, root_scalar, linprog, least_squares
def rosen(x):
    return sum(100.0*(x[1:]-x[:-1]**2.0)**2.0 + (1-x[:-1])**2.0)
x0 = np.array([1.3, 0.7, 0.8, 1.9, 1.2])
minimize(rosen, x0, method="nelder-mead", options={"xatol": 1e-8}).x
minimize(rosen, x0, method="BFGS").x
xdata = np.linspace(0, 4, 50); ydata = 2.5 * np.exp(-1.3 * xdata) + 0.5 + 0.2 * np.random.normal(size=50)
curve_fit(lambda x, a, b, c: a * np.exp(-b * x) + c, xdata, ydata)[0]
root_scalar(lambda x: x**3 - 1, bracket=[0, 3], method="brentq").root
linprog([-1, 4], A_ub=[[-3, 1], [1, 2]], b_ub=[6, 4], bounds=[(None, None), (-3, None)]).x
from scipy import interpolate, signal
interpolate.CubicSpline(np.arange(10), np.sin(np.arange(10)))(2.5)
b, a = signal.butter(4, 0.1); signal.filtfilt(b, a, np.random.randn(200))[:3]""",
)
